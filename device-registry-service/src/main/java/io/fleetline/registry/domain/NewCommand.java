package io.fleetline.registry.domain;

import com.fasterxml.jackson.databind.node.ObjectNode;

/** A validated command request. */
public record NewCommand(String command, ObjectNode params, int ttlS) {
}
