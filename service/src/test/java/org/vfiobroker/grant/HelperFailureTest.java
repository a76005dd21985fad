package org.vfiobroker.grant;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Optional;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.context.annotation.Import;
import org.vfiobroker.host.DeviceNode;
import org.vfiobroker.host.GroupInspection;
import org.vfiobroker.host.HostAgent;
import org.vfiobroker.host.MeteredHostAgent;
import org.vfiobroker.host.SimulatedHost;

/** A helper failure at each step of activation and of revocation leaves the host and the database consistent. */
@Import(FaultyHost.Config.class)
class HelperFailureTest extends GrantTestBase {

    @Autowired
    FaultyHost faulty;
    @Autowired
    @Qualifier("simulatedHost")
    HostAgent real;

    private SimulatedHost sim() {
        return (SimulatedHost) ((MeteredHostAgent) real).delegate();
    }

    /** Group 1: GPU (already on vfio-pci) and its audio function on snd_hda_intel, which a grant moves. */
    private void assertGroupOneIsTheHosts() {
        GroupInspection g = real.inspectGroup(1);
        assertThat(g.members()).filteredOn(m -> m.address().equals("0000:01:00.1")).extracting(GroupInspection.Member::driver)
                .containsExactly("snd_hda_intel");
        Optional<DeviceNode> node = real.groupNode(1);
        node.ifPresent(n -> assertThat(n.uid()).isZero());
        assertThat(sim().userMemlock("alice")).isEmpty();
    }

    @ParameterizedTest
    @ValueSource(strings = {"bind-group", "grant-nodes", "memlock-user"})
    void aFailedActivationStepIsUndone(String verb) throws Exception {
        faulty.failNext(verb);

        Response r = grantGroups("alice", List.of(1), 32 * MIB);

        assertThat(r.status()).as(r.body()).isEqualTo(502);
        assertThat(r.type()).isEqualTo("urn:vfio-broker:problem:helper-failed");
        long id = r.json().path("grantId").asLong();
        Response grant = get("/api/v1/grants/" + id);
        assertThat(grant.json().path("state").asString()).isEqualTo("FAILED");
        assertThat(grant.json().path("reason").asString()).contains("injected");
        assertGroupOneIsTheHosts();
        Response again = grantGroups("alice", List.of(1), 32 * MIB);
        assertThat(again.status()).as("the group is free again: " + again.body()).isEqualTo(201);
        delete("/api/v1/grants/" + again.id());
        assertGroupOneIsTheHosts();
    }

    @ParameterizedTest
    @ValueSource(strings = {"revoke-nodes", "restore", "memlock-user-remove"})
    void aFailedRevocationStepLeavesTheGrantReleasingUntilTheReconcileFinishesIt(String verb) throws Exception {
        Response created = grantedGroups("alice", List.of(1), 32 * MIB);
        faulty.failNext(verb);

        Response revoked = delete("/api/v1/grants/" + created.id());

        assertThat(revoked.status()).as(revoked.body()).isEqualTo(502);
        assertThat(get("/api/v1/grants/" + created.id()).json().path("state").asString()).isEqualTo("RELEASING");
        Response other = grantGroups("bob", List.of(1), 32 * MIB);
        assertThat(other.status()).as("still reserved while releasing").isEqualTo(409);
        assertThat(other.type()).isEqualTo("urn:vfio-broker:problem:already-granted");

        Reconciler.Report report = reconciler.reconcile(false);

        assertThat(report.released()).contains(created.id());
        assertThat(get("/api/v1/grants/" + created.id()).json().path("state").asString()).isEqualTo("RELEASED");
        assertGroupOneIsTheHosts();
    }
}
