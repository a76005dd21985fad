package org.vfiobroker.inventory;

/** No PCI function has this address on the host. Mapped to a 404 problem. */
public class DeviceNotFoundException extends RuntimeException {

    private final PciAddress address;

    public DeviceNotFoundException(PciAddress address) {
        super("no PCI function " + address + " on this host");
        this.address = address;
    }

    public PciAddress address() {
        return address;
    }
}
