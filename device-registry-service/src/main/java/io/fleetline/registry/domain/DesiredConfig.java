package io.fleetline.registry.domain;

import com.fasterxml.jackson.databind.JsonNode;

/** The desired configuration of a device and its version (the ETag of {@code /devices/{id}/config}). */
public record DesiredConfig(int version, JsonNode config) {
}
