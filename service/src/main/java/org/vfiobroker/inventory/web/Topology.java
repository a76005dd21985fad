package org.vfiobroker.inventory.web;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.vfiobroker.inventory.InventoryService;
import org.vfiobroker.inventory.IommuGroup;
import org.vfiobroker.inventory.PciAddress;
import org.vfiobroker.inventory.PciFunction;

/**
 * The PCIe tree for the topology picture: one root complex per root bus, the functions on it (root ports,
 * integrated endpoints, the host bridge), and below each bridge what sits behind it (from each function's
 * {@code parentChain}). Siblings of one IOMMU group are drawn inside one box coloured by the group's state;
 * a bridge's children in the bridge's own group stay in that box.
 *
 * @param roots one entry per root bus, e.g. {@code 0000:00}
 */
public record Topology(List<RootComplex> roots) {

    /**
     * @param bus      {@code domain:bus} of the root bus
     * @param clusters the functions on the root bus, clustered by group
     */
    public record RootComplex(String bus, List<Cluster> clusters) {
    }

    /**
     * Siblings in one IOMMU group.
     *
     * @param group  the group, {@code null} for functions without a group
     * @param nested the parent is in the same group: drawn without a second box
     * @param nodes  the functions, by address
     */
    public record Cluster(GroupView group, boolean nested, List<Node> nodes) {

        public String css() {
            return group == null ? "no-group" : group.css();
        }
    }

    /**
     * @param function the function
     * @param children what is behind it when it is a bridge, clustered by group
     */
    public record Node(PciFunction function, List<Cluster> children) {
    }

    static Topology of(InventoryService.Snapshot s, InventoryService inventory) {
        Map<PciAddress, List<PciFunction>> children = new LinkedHashMap<>();
        Map<String, List<PciFunction>> roots = new LinkedHashMap<>();
        for (PciFunction f : s.devices()) {
            if (f.parentChain().isEmpty()) {
                roots.computeIfAbsent(rootBus(f.address()), k -> new ArrayList<>()).add(f);
            } else {
                children.computeIfAbsent(f.parentChain().get(f.parentChain().size() - 1), k -> new ArrayList<>()).add(f);
            }
        }
        Map<Integer, GroupView> groups = new LinkedHashMap<>();
        for (IommuGroup g : s.groups()) {
            groups.put(g.id(), GroupView.of(g, inventory));
        }
        List<RootComplex> out = new ArrayList<>();
        roots.forEach((bus, functions) -> out.add(new RootComplex(bus, clusters(functions, null, children, groups))));
        return new Topology(out);
    }

    private static List<Cluster> clusters(List<PciFunction> siblings, Integer parentGroup,
                                          Map<PciAddress, List<PciFunction>> children, Map<Integer, GroupView> groups) {
        Map<Object, List<PciFunction>> byGroup = new LinkedHashMap<>();
        for (PciFunction f : siblings) {
            Object key = f.iommuGroup() == null ? (Object) ("none-" + f.address()) : f.iommuGroup();
            byGroup.computeIfAbsent(key, k -> new ArrayList<>()).add(f);
        }
        List<Cluster> out = new ArrayList<>();
        byGroup.values().forEach(members -> {
            Integer group = members.get(0).iommuGroup();
            List<Node> nodes = members.stream().map(f -> new Node(f,
                    clusters(children.getOrDefault(f.address(), List.of()), group, children, groups))).toList();
            out.add(new Cluster(group == null ? null : groups.get(group),
                    group != null && Objects.equals(group, parentGroup), nodes));
        });
        return out;
    }

    private static String rootBus(PciAddress a) {
        String text = a.toString();
        return text.substring(0, text.indexOf(':', 5));
    }
}
