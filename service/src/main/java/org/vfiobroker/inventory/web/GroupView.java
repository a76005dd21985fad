package org.vfiobroker.inventory.web;

import java.util.List;
import java.util.Map;
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

    /** @param holders who holds which group, from the grants ({@link GroupHolders}) */
    static GroupView of(IommuGroup g, InventoryService inventory, Map<Integer, String> holders) {
        List<PciFunction> members = inventory.members(g);
        String holder = holders.get(g.id());
        return new GroupView(g, members, State.of(g), holder != null ? holder : nodeOwner(g),
                members.stream().map(GroupView::step).toList());
    }

    /** Whether a grant holds the group or its node belongs to a user. */
    static boolean held(IommuGroup g, Map<Integer, String> holders) {
        return holders.containsKey(g.id()) || nodeOwner(g) != null;
    }

    /** The owner of the group's node when that is not root (someone handed it out, maybe by hand). */
    private static String nodeOwner(IommuGroup g) {
        var node = g.deviceNode();
        if (node == null || !node.exists() || node.ownerUid() == null || node.ownerUid() == 0) {
            return null;
        }
        return "uid " + node.ownerUid();
    }

    private static BindStep step(PciFunction f) {
        String driver = f.driver();
        if (DmaOwnershipRule.leftAloneByBind(f)) {
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
