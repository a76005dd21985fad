package org.vfiobroker.web;

/**
 * A response body whose JSON was serialized once and cached (by the same JSON mapper the API uses); the
 * {@link PreSerializedJsonConverter} writes the bytes as they are. A controller returns a subclass of the
 * contract's DTO that implements this, so its signature stays the generated one.
 */
public interface PreSerializedJson {

    /** The body, UTF-8 JSON. Never modified. */
    byte[] json();
}
