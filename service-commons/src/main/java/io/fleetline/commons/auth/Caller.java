package io.fleetline.commons.auth;

import java.util.List;
import java.util.Set;

import jakarta.enterprise.context.RequestScoped;

import io.fleetline.commons.api.ApiException;

/**
 * Who makes the current request: the key id (also the {@code sub} of a JWT), its permission
 * and its device scope. Filled in by {@link AccessFilter}; inject it for audit and device
 * scoping. When enforcement is off ({@code fleetline.auth.enabled=false}) the caller is
 * {@link #ANONYMOUS_ID} with admin rights and no device scope.
 */
@RequestScoped
public class Caller {

    /** The key id recorded for requests made while enforcement is off. */
    public static final String ANONYMOUS_ID = "anonymous";

    private String keyId = ANONYMOUS_ID;
    private Permission permission = Permission.ADMIN;
    private Set<String> deviceIds;
    private boolean viaToken;

    void authenticate(String keyId, Permission permission, List<String> deviceIds, boolean viaToken) {
        this.keyId = keyId;
        this.permission = permission;
        this.deviceIds = deviceIds == null ? null : Set.copyOf(deviceIds);
        this.viaToken = viaToken;
    }

    /** The key id of the caller, or {@link #ANONYMOUS_ID}. */
    public String keyId() {
        return keyId;
    }

    /** The highest permission of the caller. */
    public Permission permission() {
        return permission;
    }

    /** Whether the caller holds {@code required} (admin implies write implies read). */
    public boolean has(Permission required) {
        return permission.grants(required);
    }

    /** Whether the caller authenticated with a JWT rather than the key itself. */
    public boolean viaToken() {
        return viaToken;
    }

    /** The device ids the key is limited to, or null when it may act on every device. */
    public Set<String> deviceIds() {
        return deviceIds;
    }

    /** Whether the caller may act on {@code deviceId}. */
    public boolean mayAccess(String deviceId) {
        return deviceIds == null || deviceIds.contains(deviceId);
    }

    /**
     * Refuses a device outside the key's scope with 404, the same answer as for a device that
     * does not exist, so a scoped key cannot probe which ids are registered.
     */
    public void requireDevice(String deviceId) {
        if (!mayAccess(deviceId)) {
            throw ApiException.notFound("Device '" + deviceId + "' not found.");
        }
    }
}
