package org.vfiobroker.grant;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.springframework.security.access.prepost.PreAuthorize;
import org.springframework.stereotype.Service;
import org.vfiobroker.audit.AuditEvent.Outcome;
import org.vfiobroker.host.NumVfsResult;
import org.vfiobroker.inventory.InventoryService;
import org.vfiobroker.inventory.PciAddress;
import org.vfiobroker.inventory.PciFunction;
import org.vfiobroker.problem.InvalidInputException;
import org.vfiobroker.problem.ProblemException;
import org.vfiobroker.problem.ProblemType;
import org.vfiobroker.security.Roles;

/** SR-IOV: a PF's VF count, refused while the PF or any of its VFs is held by a grant. */
@Service
public class SriovService {

    private final InventoryService inventory;
    private final GrantStore store;
    private final HoldingQueries holding;
    private final GrantService grants;
    private final HostSteps steps;

    SriovService(InventoryService inventory, GrantStore store, HoldingQueries holding, GrantService grants,
                 HostSteps steps) {
        this.inventory = inventory;
        this.store = store;
        this.holding = holding;
        this.grants = grants;
        this.steps = steps;
    }

    @PreAuthorize(Roles.OPERATORS)
    public NumVfsResult setNumVfs(String addressText, Integer numVfs) {
        PciAddress address = PciAddress.parse(addressText);
        if (numVfs == null) {
            throw new InvalidInputException("numVfs", "numVfs: required; 0 to the device's sriov_totalvfs");
        }
        grants.hostShape().writeLock().lock();
        try {
            PciFunction pf = inventory.getDevice(address);
            if (pf.sriov() == null) {
                throw new ProblemException(ProblemType.HOST_REFUSED, address + " is not an SR-IOV physical function"
                        + " (no sriov_totalvfs)").with("address", address.toString());
            }
            if (numVfs < 0 || numVfs > pf.sriov().totalVfs()) {
                throw new InvalidInputException("numVfs", "numVfs: " + numVfs + " is out of range; " + address
                        + " supports 0 to " + pf.sriov().totalVfs());
            }
            Set<Integer> held = holding.heldGroups();
            List<String> granted = new ArrayList<>();
            if (pf.iommuGroup() != null && held.contains(pf.iommuGroup())) {
                granted.add(address + " (the PF itself, group " + pf.iommuGroup() + ")");
            }
            for (PciAddress vf : pf.sriov().vfs()) {
                inventory.findDevice(vf).map(PciFunction::iommuGroup).filter(held::contains)
                        .ifPresent(g -> granted.add(vf + " (group " + g + ")"));
            }
            if (!granted.isEmpty()) {
                throw new ProblemException(ProblemType.VF_GRANTED, "Cannot change the VFs of " + address + " while "
                        + String.join(", ", granted) + " is granted; revoke those grants first")
                        .with("address", address.toString()).with("inUseBy", granted);
            }
            NumVfsResult result;
            try {
                result = steps.run(null, "set-numvfs", "device:" + address, "numVfs=" + numVfs,
                        () -> steps.host().setNumVfs(address, numVfs));
            } finally {
                inventory.rescanAfterChange();
            }
            store.recordOwn("sriov.set", "device:" + address, Outcome.SUCCESS, "numVfs " + result.previousNumVfs()
                    + " -> " + result.numVfs());
            return result;
        } finally {
            grants.hostShape().writeLock().unlock();
        }
    }
}
