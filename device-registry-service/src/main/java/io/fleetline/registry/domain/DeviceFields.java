package io.fleetline.registry.domain;

import com.fasterxml.jackson.databind.JsonNode;

/** The fields of a device an operator may edit with {@code PATCH /devices/{id}}. */
public record DeviceFields(String name, String type, String location, JsonNode metadata) {
}
