package org.vfiobroker.inventory.web;

import java.util.List;
import org.vfiobroker.inventory.DmaOwnershipRule;
import org.vfiobroker.inventory.InventoryService;
import org.vfiobroker.inventory.IommuGroup;
import org.vfiobroker.inventory.PciFunction;

/**
 * An IOMMU group as the dashboard shows it: its members, its colour (viability), who holds it, and what
 * binding it would change.
 *
 * @param group   the group
 * @param members its functions, by address
 * @param state   its viability as a colour
 * @param holder  who holds the group now: the owner of its node when that is not root; {@code null} when free
 * @param preview what a bind would do to each member, before anything is done
 */
public record GroupView(IommuGroup group, List<PciFunction> members, State state, String holder,
                        List<BindStep> preview) {

    /** The colour of a group box. */
    public enum State {
        VIABLE("viable"), VIABLE_ONCE_BOUND("once-bound"), NOT_VIABLE("not-viable");

        private final String css;

        State(String css) {
            this.css = css;
        }

        public String css() {
            return css;
        }

        static State of(IommuGroup g) {
            if (g.viability().viable()) {
                return VIABLE;
            }
            return g.viability().viableOnceBound() ? VIABLE_ONCE_BOUND : NOT_VIABLE;
        }
    }

    /** What a bind does to one member. */
    public enum BindAction {
        /** A bridge or PCIe port: keeps its driver. */
        LEFT_ALONE,
        /** Already on vfio-pci or a variant. */
        ALREADY_BOUND,
        /** Leaves its driver (or none) for vfio-pci. */
        REBOUND
    }

    /**
     * @param function the member
     * @param action   what a bind does to it
     * @param from     its driver now, {@code null} when unbound
     * @param to       its driver after the bind, {@code null} when unbound
     */
    public record BindStep(PciFunction function, BindAction action, String from, String to) {
    }

    static GroupView of(IommuGroup g, InventoryService inventory) {
        List<PciFunction> members = inventory.members(g);
        return new GroupView(g, members, State.of(g), holder(g), members.stream().map(GroupView::step).toList());
    }

    /** Whether the group's node belongs to a user (a grant handed it out, or someone changed it). */
    static boolean heldByUser(IommuGroup g) {
        return holder(g) != null;
    }

    private static String holder(IommuGroup g) {
        var node = g.deviceNode();
        if (node == null || !node.exists() || node.ownerUid() == null || node.ownerUid() == 0) {
            return null;
        }
        return "uid " + node.ownerUid();
    }

    private static BindStep step(PciFunction f) {
        String driver = f.driver();
        if (f.isBridge() || "pcieport".equals(driver)) {
            return new BindStep(f, BindAction.LEFT_ALONE, driver, driver);
        }
        if (DmaOwnershipRule.isVfio(driver)) {
            return new BindStep(f, BindAction.ALREADY_BOUND, driver, driver);
        }
        return new BindStep(f, BindAction.REBOUND, driver, DmaOwnershipRule.VFIO_PCI);
    }

    /** Whether a bind would change any driver. */
    public boolean bindChangesSomething() {
        return preview.stream().anyMatch(s -> s.action() == BindAction.REBOUND);
    }

    public String css() {
        return state.css() + (holder != null ? " held" : "");
    }
}
