package org.vfiobroker.inventory;

/** A text that is not a PCI address in the form {@link PciAddress#SYNTAX}. Mapped to a 400 problem. */
public class InvalidPciAddressException extends IllegalArgumentException {

    public InvalidPciAddressException(String message) {
        super(message);
    }
}
