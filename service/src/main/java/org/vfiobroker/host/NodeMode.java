package org.vfiobroker.host;

/** The two modes a granted node may have. */
public enum NodeMode {
    /** Only the grantee. */
    OWNER_ONLY(0600, "0600"),
    /** The grantee and its group. */
    OWNER_AND_GROUP(0660, "0660");

    private final int bits;
    private final String octal;

    NodeMode(int bits, String octal) {
        this.bits = bits;
        this.octal = octal;
    }

    public int bits() {
        return bits;
    }

    public String octal() {
        return octal;
    }
}
