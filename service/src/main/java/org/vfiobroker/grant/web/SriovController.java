package org.vfiobroker.grant.web;

import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.RestController;
import org.vfiobroker.api.SriovApi;
import org.vfiobroker.api.model.SriovChange;
import org.vfiobroker.api.model.SriovResult;
import org.vfiobroker.grant.SriovService;
import org.vfiobroker.host.NumVfsResult;

/** The SR-IOV API. Authorization is on {@link SriovService}. */
@RestController
class SriovController implements SriovApi {

    private final SriovService sriov;

    SriovController(SriovService sriov) {
        this.sriov = sriov;
    }

    @Override
    public ResponseEntity<SriovResult> setSriovVfs(String address, SriovChange body) {
        NumVfsResult r = sriov.setNumVfs(address, body.getNumVfs());
        return ResponseEntity.ok(new SriovResult().address(r.address()).totalVfs(r.totalVfs())
                .previousNumVfs(r.previousNumVfs()).numVfs(r.numVfs()));
    }
}
