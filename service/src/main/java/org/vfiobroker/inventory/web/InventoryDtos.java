package org.vfiobroker.inventory.web;

import java.util.List;
import java.util.Map;
import org.vfiobroker.api.model.Bar;
import org.vfiobroker.api.model.BlockDevice;
import org.vfiobroker.api.model.Capabilities;
import org.vfiobroker.api.model.Capability;
import org.vfiobroker.api.model.Device;
import org.vfiobroker.api.model.DeviceNode;
import org.vfiobroker.api.model.GroupBlocker;
import org.vfiobroker.api.model.GroupMember;
import org.vfiobroker.api.model.Host;
import org.vfiobroker.api.model.InUseReason;
import org.vfiobroker.api.model.Iommu;
import org.vfiobroker.api.model.KernelModule;
import org.vfiobroker.api.model.Link;
import org.vfiobroker.api.model.Msi;
import org.vfiobroker.api.model.Msix;
import org.vfiobroker.api.model.NetInterface;
import org.vfiobroker.api.model.Pcie;
import org.vfiobroker.api.model.Sriov;
import org.vfiobroker.api.model.Taint;
import org.vfiobroker.api.model.TaintFlag;
import org.vfiobroker.inventory.DeviceNodeStatus;
import org.vfiobroker.inventory.HostSummary;
import org.vfiobroker.inventory.IommuGroup;
import org.vfiobroker.inventory.PciAddress;
import org.vfiobroker.inventory.PciFunction;

/** Maps the inventory's model to the DTOs generated from the contract. DTOs stay at this edge. */
final class InventoryDtos {

    private InventoryDtos() {
    }

    static Host host(HostSummary h, int deviceCount) {
        HostSummary.Iommu iommu = h.iommu();
        return new Host()
                .kernelRelease(h.kernelRelease())
                .iommu(new Iommu().present(iommu.present()).kind(Iommu.KindEnum.valueOf(iommu.kind().name()))
                        .kindLabel(iommu.kind().label()).units(iommu.units()).groupCount(iommu.groupCount()))
                .noiommuMode(h.noiommuMode())
                .noiommuGroups(h.noiommuGroups())
                .vfioModules(h.vfioModules().stream()
                        .map(m -> new KernelModule().name(m.name()).parameters(Map.copyOf(m.parameters())))
                        .toList())
                .kernelParameters(h.commandLine())
                .taint(new Taint().value(h.taint().value()).flags(h.taint().flags().stream()
                        .map(f -> new TaintFlag().bit(f.bit()).letter(String.valueOf(f.letter()))
                                .description(f.description()))
                        .toList()))
                .vfioCdevSupported(h.cdevSupported())
                .iommufdPresent(h.iommufdPresent())
                .container(node(h.vfioContainer()))
                .grantsPossible(h.grantsPossible())
                .grantBlockers(h.grantBlockers())
                .deviceCount(deviceCount);
    }

    static Device device(PciFunction f) {
        Device d = new Device()
                .address(f.address().toString())
                .vendorId(hex4(f.vendorId()))
                .deviceId(hex4(f.deviceId()))
                .subsystemVendorId(hex4(f.subsystemVendorId()))
                .subsystemDeviceId(hex4(f.subsystemDeviceId()))
                .revision(PciFunction.hex(f.revision(), 2))
                .classCode(PciFunction.hex(f.classCode(), 6))
                .className(f.className())
                .vendorName(f.vendorName())
                .deviceName(f.deviceName())
                .subsystemVendorName(f.subsystemVendorName())
                .subsystemName(f.subsystemName())
                .driver(f.driver())
                .driverOverride(f.driverOverride())
                .iommuGroup(f.iommuGroup())
                .numaNode(f.numaNode())
                .localCpus(f.localCpus())
                .enabled(f.enabled())
                .powerState(f.powerState())
                .resetMethods(f.resetMethods())
                .bars(f.bars().stream().map(InventoryDtos::bar).toList())
                .physicalFunction(address(f.physicalFunction()))
                .parentChain(f.parentChain().stream().map(PciAddress::toString).toList())
                .capabilities(capabilities(f.capabilities()))
                .vfioCdev(f.vfioCdev())
                .netInterfaces(f.netInterfaces().stream().map(n -> new NetInterface().name(n.name())
                        .operState(n.operState()).up(n.up()).hasRoutes(n.hasRoutes())).toList())
                .blockDevices(f.blockDevices().stream().map(b -> new BlockDevice().name(b.name())
                        .mounts(b.mounts()).swap(b.swap()).holders(b.holders())).toList())
                .bootVga(f.bootVga())
                .holdsRootFilesystem(f.holdsRootFilesystem())
                .inUse(f.inUse().stream().map(InventoryDtos::inUse).toList());
        if (f.link() != null) {
            PciFunction.Link l = f.link();
            d.link(new Link().currentSpeedGts(l.currentSpeedGts()).currentWidth(l.currentWidth())
                    .maxSpeedGts(l.maxSpeedGts()).maxWidth(l.maxWidth()));
        }
        if (f.sriov() != null) {
            d.sriov(new Sriov().totalVfs(f.sriov().totalVfs()).numVfs(f.sriov().numVfs())
                    .virtualFunctions(f.sriov().vfs().stream().map(PciAddress::toString).toList()));
        }
        return d;
    }

    static org.vfiobroker.api.model.IommuGroup group(IommuGroup g, Map<PciAddress, PciFunction> functions) {
        return new org.vfiobroker.api.model.IommuGroup()
                .id(g.id())
                .members(g.members().stream().map(a -> member(a, functions.get(a))).toList())
                .viable(g.viability().viable())
                .viableOnceBound(g.viability().viableOnceBound())
                .blockers(blockers(g.viability().blockers()))
                .takeableNow(g.takeable().takeable())
                .notTakeableBecause(blockers(g.takeable().blockers()))
                .noiommu(g.noiommu())
                .node(node(g.deviceNode()));
    }

    private static GroupMember member(PciAddress address, PciFunction f) {
        GroupMember m = new GroupMember().address(address.toString());
        if (f == null) {
            // The member vanished between the group listing and the device scan (hot-unplug).
            return m.classCode("000000").bridge(false);
        }
        return m.classCode(PciFunction.hex(f.classCode(), 6)).className(f.className())
                .deviceName(f.deviceName()).driver(f.driver()).bridge(f.isBridge());
    }

    private static List<GroupBlocker> blockers(List<IommuGroup.Blocker> blockers) {
        return blockers.stream().map(b -> new GroupBlocker()
                .address(address(b.member()))
                .driver(b.driver())
                .reason(b.reason())
                .inUse(b.inUse() == null ? null : inUse(b.inUse()))).toList();
    }

    private static InUseReason inUse(org.vfiobroker.inventory.InUseReason r) {
        return new InUseReason().kind(InUseReason.KindEnum.valueOf(r.kind().name())).subject(r.subject())
                .detail(r.detail()).forcible(r.forcible());
    }

    private static Capabilities capabilities(org.vfiobroker.inventory.Capabilities c) {
        Capabilities dto = new Capabilities()
                .configSpaceComplete(c.configSpaceComplete())
                .configSpaceSize(c.configSpaceSize())
                .all(c.list().stream().map(cap -> new Capability().id(cap.id()).name(cap.name())
                        .offset(cap.offset()).extended(cap.extended()).version(cap.version())).toList())
                .acs(c.acs()).aer(c.aer()).ats(c.ats()).flr(c.flr()).sriov(c.sriov());
        if (c.msi() != null) {
            dto.msi(new Msi().vectors(c.msi().vectors()).enabledVectors(c.msi().enabledVectors())
                    .is64Bit(c.msi().address64()).perVectorMasking(c.msi().perVectorMasking())
                    .enabled(c.msi().enabled()));
        }
        if (c.msix() != null) {
            dto.msix(new Msix().tableSize(c.msix().tableSize()).enabled(c.msix().enabled()).masked(c.msix().masked()));
        }
        if (c.pcie() != null) {
            dto.pcie(new Pcie().version(c.pcie().version())
                    .portType(Pcie.PortTypeEnum.valueOf(c.pcie().portType().name())));
        }
        return dto;
    }

    private static Bar bar(PciFunction.Bar b) {
        Bar.KindEnum kind = b.index() == 6 ? Bar.KindEnum.ROM : b.io() ? Bar.KindEnum.IO : Bar.KindEnum.MEMORY;
        return new Bar().index(b.index()).start(String.format("0x%x", b.start())).size(b.size()).kind(kind)
                .is64Bit(b.address64()).prefetchable(b.prefetchable());
    }

    static DeviceNode node(DeviceNodeStatus n) {
        return new DeviceNode().path(n.path()).exists(n.exists()).characterDevice(n.characterDevice())
                .ownerUid(n.ownerUid()).ownerGid(n.groupGid()).mode(n.mode());
    }

    private static String address(PciAddress a) {
        return a == null ? null : a.toString();
    }

    private static String hex4(int value) {
        return PciFunction.hex(value, 4);
    }
}
