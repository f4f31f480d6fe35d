package io.fleetline.registry.domain;

import com.fasterxml.jackson.databind.node.ObjectNode;

/** A validated registration request. */
public record NewDevice(String deviceId, String name, String type, String location, ObjectNode metadata,
        ObjectNode config) {
}
