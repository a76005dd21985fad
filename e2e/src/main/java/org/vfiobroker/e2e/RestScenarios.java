package org.vfiobroker.e2e;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import org.vfiobroker.client.ApiClient;
import org.vfiobroker.client.ApiException;
import org.vfiobroker.client.api.AuditApi;
import org.vfiobroker.client.api.GrantsApi;
import org.vfiobroker.client.api.InventoryApi;
import org.vfiobroker.client.api.PoliciesApi;
import org.vfiobroker.client.api.PoolsApi;
import org.vfiobroker.client.api.SriovApi;
import org.vfiobroker.client.api.TokensApi;
import org.vfiobroker.client.model.AuditVerification;
import org.vfiobroker.client.model.Device;
import org.vfiobroker.client.model.DevicePage;
import org.vfiobroker.client.model.Grant;
import org.vfiobroker.client.model.GrantGroup;
import org.vfiobroker.client.model.GrantRequest;
import org.vfiobroker.client.model.GrantState;
import org.vfiobroker.client.model.GrantUsage;
import org.vfiobroker.client.model.Holder;
import org.vfiobroker.client.model.Host;
import org.vfiobroker.client.model.IommuGroup;
import org.vfiobroker.client.model.PolicyInput;
import org.vfiobroker.client.model.PoolInput;
import org.vfiobroker.client.model.PoolSelector;
import org.vfiobroker.client.model.ProcessLimit;
import org.vfiobroker.client.model.ProcessLimitRequest;
import org.vfiobroker.client.model.SriovChange;
import org.vfiobroker.client.model.SriovResult;
import org.vfiobroker.client.model.TokenCreation;

/**
 * The REST-driven scenarios of issue 6, run on this machine against the real service in the QEMU guest
 * (reached through QEMU's user-mode NIC), with the client generated from {@code api-spec/openapi.yaml},
 * as a scheduler and an administrator would use it. What only the guest can do goes through {@link Guest}.
 * One line per scenario in {@code <results>/rest-results.txt}: {@code PASS name} or {@code FAIL name: why}.
 *
 * <p>Usage: {@code RestScenarios --results DIR --port N --qemu-pid PID --password PW --sriov yes|no}.
 * Exit 0 when every scenario passed, 1 when one failed, 2 when the service never came up.
 */
public final class RestScenarios {

    static final long MiB = 1024 * 1024;
    static final ObjectMapper JSON = new ObjectMapper();

    interface Body {
        void run() throws Exception;
    }

    private final Path results;
    private final int port;
    private final String password;
    private final boolean sriov;
    private final Guest guest;
    private int passed;
    private int failed;

    private ApiClient admin;
    private ApiClient scheduler;
    private String user;        // uid 1000
    private String other;       // uid 1001
    private String probe;
    private List<String> nics = List.of();

    RestScenarios(Map<String, String> a) {
        results = Path.of(a.get("--results"));
        port = Integer.parseInt(a.get("--port"));
        password = a.get("--password");
        sriov = "yes".equals(a.get("--sriov"));
        guest = new Guest(results, Long.parseLong(a.getOrDefault("--qemu-pid", "0")));
    }

    public static void main(String[] args) throws Exception {
        Map<String, String> a = new HashMap<>();
        for (int i = 0; i + 1 < args.length; i += 2) {
            a.put(args[i], args[i + 1]);
        }
        System.exit(new RestScenarios(a).runAll());
    }

    static void log(String s) {
        System.out.println(java.time.LocalTime.now() + " " + s);
        System.out.flush();
    }

    // ---------------------------------------------------------------------------------------- running

    void scenario(String name, Body body) throws IOException {
        long t0 = System.currentTimeMillis();
        String line;
        log("=== " + name);
        try {
            body.run();
            line = "PASS " + name;
            passed++;
        } catch (Throwable e) {
            String why = e instanceof ApiException ae ? "HTTP " + ae.getCode() + " " + ae.getResponseBody()
                    : e.getClass().getSimpleName() + ": " + e.getMessage();
            line = "FAIL " + name + ": " + String.valueOf(why).replace('\n', ' ');
            failed++;
            e.printStackTrace(System.out);
        }
        long ms = System.currentTimeMillis() - t0;
        log(line + " (" + ms + " ms)");
        Files.writeString(results.resolve("rest-results.txt"), line + "\n", StandardOpenOption.CREATE,
                StandardOpenOption.APPEND);
        Files.writeString(results.resolve("scenario-ms.txt"), "rest:" + name + " " + ms + "\n",
                StandardOpenOption.CREATE, StandardOpenOption.APPEND);
    }

    static void check(boolean ok, String what) {
        if (!ok) {
            throw new AssertionError(what);
        }
    }

    int runAll() throws Exception {
        long t0 = System.currentTimeMillis();
        if (!waitForService()) {
            Files.writeString(results.resolve("rest-results.txt"),
                    "FAIL rest-service-up: the service in the guest did not come up (see results/service-1.log)\n",
                    StandardOpenOption.CREATE, StandardOpenOption.APPEND);
            return 2;
        }
        log("service reachable after " + (System.currentTimeMillis() - t0) + " ms");
        admin = client("Basic " + Base64.getEncoder().encodeToString(("admin:" + password).getBytes(StandardCharsets.UTF_8)));
        user = guest.ok("getent passwd 1000 | cut -d: -f1");
        other = guest.ok("getent passwd 1001 | cut -d: -f1");
        probe = guest.ok("echo \"$PROBE\"");
        log("grantee " + user + " (1000), other " + other + " (1001), probe " + probe);

        scenario("rest-1-inventory-matches-sysfs-and-lspci", this::inventory);
        scenario("rest-2-ich9-group-refused-with-reason", this::ich9Refused);
        scenario("rest-setup-pool-policy-scheduler-token", this::setup);
        scenario("rest-3-one-e1000e-16MiB-dma-4MiB-ok-32MiB-enomem", this::oneGroup);
        scenario("rest-3-pam-session-gets-the-grant-memlock", this::pamSession);
        scenario("rest-3-revoke-graceful-without-holders", this::revokeOne);
        scenario("rest-3-two-groups-one-container-one-map", this::twoGroups);
        scenario("rest-4-other-user-eacces", this::otherUser);
        scenario("rest-5-usage-shows-holder-and-vmlck", this::usage);
        scenario("rest-6-forced-revoke-terminates-restores-e1000e", this::forcedRevoke);
        if (sriov) {
            scenario("rest-9-sriov-vfs-grant-dma-revoke", this::sriov);
        } else {
            Files.writeString(results.resolve("rest-results.txt"), "SKIP rest-9-sriov: QEMU older than 8 (no igb)\n",
                    StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        }
        scenario("rest-7-expired-grant-revoked-by-itself", this::expiry);
        scenario("rest-8-restart-reconciles-active-grant-audit-verifies", this::restart);
        log(passed + " passed, " + failed + " failed in " + (System.currentTimeMillis() - t0) / 1000 + " s");
        return failed == 0 ? 0 : 1;
    }

    boolean waitForService() throws Exception {
        long deadline = System.currentTimeMillis() + 600_000;
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(3)).build();
        while (System.currentTimeMillis() < deadline) {
            if (Files.exists(results.resolve("service-failed")) || Files.exists(results.resolve("done"))
                    || !guest.qemuAlive()) {
                log("the guest says the service did not start");
                return false;
            }
            if (Files.exists(results.resolve("service-ready"))) {
                try {
                    HttpResponse<String> r = http.send(HttpRequest.newBuilder(
                            URI.create("http://127.0.0.1:" + port + "/actuator/health"))
                            .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
                    if (r.statusCode() == 200 && r.body().contains("UP")) {
                        return true;
                    }
                    log("health: " + r.statusCode() + " " + r.body());
                } catch (IOException e) {
                    log("health: " + e);
                }
            }
            Thread.sleep(1000);
        }
        return false;
    }

    ApiClient client(String authorization) {
        return new ApiClient().setScheme("http").setHost("127.0.0.1").setPort(port)
                .setReadTimeout(Duration.ofSeconds(120))
                .setRequestInterceptor(b -> b.header("Authorization", authorization));
    }

    // ------------------------------------------------------------------------------------ guest helpers

    String driverOf(String address) throws Exception {
        return guest.ok("d=/sys/bus/pci/devices/" + address + "/driver; [ -e $d ] && basename $(readlink $d) || echo none");
    }

    String nodeOf(int group) throws Exception {
        return guest.ok("stat -c '%u %g %a' /dev/vfio/" + group + " 2>/dev/null || echo absent");
    }

    /**
     * Starts the probe as uid in the guest, stopped before it runs: a shell of that uid, started with a
     * hard RLIMIT_MEMLOCK of 1 MiB (lower than what any map needs), waits for a go file and then execs the
     * probe (limits survive exec). Returns its pid; the product raises its limit, then {@link #go}.
     */
    long startWaiting(int uid, String args) throws Exception {
        String out = guest.ok("go=/tmp/e2e-go.$$; rm -f $go; o=/tmp/e2e-probe.$$.out; : > $o; chmod 0644 $o\n"
                + "prlimit --memlock=1048576:1048576 setpriv --reuid=" + uid + " --regid=" + uid + " --clear-groups "
                + "/bin/sh -c 'while [ ! -e \"$0\" ]; do sleep 0.1; done; exec \"$@\"' $go \"$PROBE\" " + args
                + " > $o 2>&1 < /dev/null &\n"
                + "p=$!; echo $p > /tmp/e2e-probe.$p.go-path; echo $go >> /tmp/e2e-probe.$p.go-path; echo $o >> /tmp/e2e-probe.$p.go-path\n"
                + "for i in $(seq 50); do [ \"$(awk '/^Uid:/ { print $2 }' /proc/$p/status 2>/dev/null)\" = " + uid
                + " ] && break; sleep 0.1; done\n"
                + "grep -E '^(Uid|Name)' /proc/$p/status >&2; echo $p");
        return Long.parseLong(out.substring(out.lastIndexOf('\n') + 1).strip());
    }

    /** Lets a waiting probe run; with wait, waits for it and returns "rc json". */
    Guest.Result go(long pid, boolean wait) throws Exception {
        String f = "/tmp/e2e-probe." + pid + ".go-path";
        String s = "go=$(sed -n 2p " + f + "); o=$(sed -n 3p " + f + "); touch $go\n";
        if (wait) {
            s += "while [ -e /proc/" + pid + " ]; do sleep 0.1; done\ncat $o";
        } else {
            s += "sleep 1; for i in $(seq 300); do grep -q holdSeconds $o && break; grep -q '\"ok\":false' $o && break; "
                    + "[ -e /proc/" + pid + " ] || break; sleep 0.1; done; cat $o";
        }
        return guest.run(s, Duration.ofSeconds(120));
    }

    static JsonNode json(String out) throws IOException {
        String t = out.strip();
        int i = t.lastIndexOf('\n');
        return JSON.readTree(i < 0 ? t : t.substring(i + 1));
    }

    long limitAndRun(Grant g, String args, JsonNode[] report) throws Exception {
        long pid = startWaiting(1000, args);
        ProcessLimit pl = new GrantsApi(scheduler).limitGrantProcess(g.getId(), new ProcessLimitRequest().pid(pid));
        log("process limit: " + pl);
        check(pl.getBytes() == 16 * MiB, "the process limit is " + pl.getBytes() + ", expected 16 MiB");
        check(pl.getPreviousHardBytes() != null && pl.getPreviousHardBytes() == MiB,
                "the previous hard limit is " + pl.getPreviousHardBytes() + ", expected the 1 MiB it started with");
        Guest.Result r = go(pid, true);
        report[0] = json(r.out());
        log("probe: " + report[0]);
        return pid;
    }

    // ---------------------------------------------------------------------------------------- scenarios

    /** 1: every PCI function of the guest's sysfs and lspci is in the inventory with its ids, group, driver. */
    void inventory() throws Exception {
        InventoryApi inv = new InventoryApi(admin);
        Map<String, String> api = new TreeMap<>();
        int page = 0;
        DevicePage p;
        do {
            p = inv.listDevices(null, null, null, null, null, null, null, page++, 100);
            for (Device d : p.getItems()) {
                api.put(d.getAddress(), norm(d.getVendorId()) + ":" + norm(d.getDeviceId()) + " group "
                        + d.getIommuGroup() + " driver " + (d.getDriver() == null ? "none" : d.getDriver()));
            }
        } while (page < p.getTotalPages());
        Map<String, String> sysfs = new TreeMap<>();
        for (String l : guest.ok("for d in /sys/bus/pci/devices/*; do a=${d##*/}; "
                + "dr=none; [ -e $d/driver ] && dr=$(basename $(readlink $d/driver)); "
                + "echo \"$a $(cat $d/vendor):$(cat $d/device) group $(basename $(readlink $d/iommu_group)) driver $dr\"; done")
                .split("\n")) {
            int s = l.indexOf(' ');
            sysfs.put(l.substring(0, s), l.substring(s + 1).replace("0x", ""));
        }
        Set<String> lspci = new TreeSet<>();
        for (String l : guest.ok("lspci -Dn").split("\n")) {
            String[] f = l.trim().split("\\s+");
            lspci.add(f[0] + " " + f[2]);
        }
        Set<String> apiIds = new TreeSet<>();
        api.forEach((a, v) -> apiIds.add(a + " " + v.substring(0, 9)));
        log("api " + api.size() + " functions, sysfs " + sysfs.size() + ", lspci " + lspci.size());
        check(api.equals(sysfs), "inventory differs from sysfs: api " + api + " sysfs " + sysfs);
        check(apiIds.equals(lspci), "inventory differs from lspci -Dn: api " + apiIds + " lspci " + lspci);
        Host host = inv.getHost();
        check(Boolean.TRUE.equals(host.getGrantsPossible()), "grantsPossible is false: " + host.getGrantBlockers());
        int groups = Integer.parseInt(guest.ok("ls /sys/kernel/iommu_groups | wc -l"));
        check(inv.listIommuGroups().size() == groups, "groups: api " + inv.listIommuGroups().size() + ", sysfs " + groups);
        nics = new ArrayList<>(inv.listDevices("8086", "10d3", null, null, null, null, null, 0, 10).getItems()
                .stream().map(Device::getAddress).toList());
        check(nics.size() == 2, "expected two e1000e, got " + nics);
        for (String n : nics) {
            Device d = inv.getDevice(n);
            check("e1000e".equals(d.getDriver()) && !d.getNetInterfaces().isEmpty(),
                    n + " is not on e1000e with an interface: " + d.getDriver() + " " + d.getNetInterfaces());
        }
    }

    static String norm(String id) {
        return id.toLowerCase().replace("0x", "");
    }

    /** 2: the ICH9 group (SATA, LPC, SMBus with host drivers) is refused with a 409 problem saying why. */
    void ich9Refused() throws Exception {
        InventoryApi inv = new InventoryApi(admin);
        int g = inv.getDevice("0000:00:1f.2").getIommuGroup();
        IommuGroup group = inv.getIommuGroup(g);
        log("ICH9 group " + g + ": takeableNow " + group.getTakeableNow() + ", because " + group.getNotTakeableBecause());
        check(!group.getTakeableNow() && !group.getNotTakeableBecause().isEmpty(), "the ICH9 group looks takeable");
        try {
            Grant grant = new GrantsApi(admin).createGrant(new GrantRequest().unixUser(user).addGroupsItem(g)
                    .memlockBytes(16 * MiB).durationSeconds(600L), null);
            throw new AssertionError("the ICH9 group was granted: " + grant);
        } catch (ApiException e) {
            log("refused: " + e.getCode() + " " + e.getResponseBody());
            JsonNode p = JSON.readTree(e.getResponseBody());
            check(e.getCode() == 409, "expected 409, got " + e.getCode());
            String type = p.path("type").asText();
            check(type.equals("urn:vfio-broker:problem:group-not-viable") || type.equals("urn:vfio-broker:problem:group-in-use"),
                    "unexpected problem type " + type);
            check(p.path("detail").asText().contains("00:1f"), "the detail does not name an ICH9 function: " + p);
        }
        check(driverOf("0000:00:1f.2").equals("ahci"), "00:1f.2 is no longer on ahci");
        check(driverOf("0000:00:1f.3").equals("i801_smbus"), "00:1f.3 is no longer on i801_smbus");
    }

    /** What an administrator sets up once: a pool of the e1000e, a policy for the grantee, a scheduler token. */
    void setup() throws Exception {
        new PoolsApi(admin).createPool(new PoolInput().name("e1000e")
                .selector(new PoolSelector().addVendorDevicesItem("8086:10d3")));
        new PoliciesApi(admin).createPolicy(new PolicyInput().pool("e1000e").unixUser(user).maxGroups(2)
                .maxMemlockBytes(32 * MiB).maxLeaseSeconds(3600L));
        String token = new TokensApi(admin).createToken(new TokenCreation().name("e2e scheduler")
                .scope(org.vfiobroker.client.model.Role.SCHEDULER).expiresInDays(1)).getToken();
        scheduler = client("Bearer " + token);
    }

    Grant oneGrant;

    /** 3: one e1000e group to uid 1000 with 16 MiB; vfio-pci, node 1000 0600; the probe's DMA within the quota. */
    void oneGroup() throws Exception {
        oneGrant = new GrantsApi(scheduler).createGrant(new GrantRequest().unixUser(user).pool("e1000e").count(1)
                .memlockBytes(16 * MiB).durationSeconds(600L), "e2e-one-group");
        log("grant: " + oneGrant);
        check(oneGrant.getState() == GrantState.ACTIVE, "grant is " + oneGrant.getState() + ": " + oneGrant.getReason());
        GrantGroup gg = oneGrant.getGroups().get(0);
        int g = gg.getIommuGroup();
        for (String m : gg.getMembers()) {
            check(driverOf(m).equals("vfio-pci"), m + " is on " + driverOf(m) + ", not vfio-pci");
            check("vfio-pci".equals(new InventoryApi(admin).getDevice(m).getDriver()), "the inventory does not say vfio-pci");
        }
        check(nodeOf(g).equals("1000 1000 600"), "/dev/vfio/" + g + " is " + nodeOf(g));
        var node = new InventoryApi(admin).getIommuGroup(g).getNode();
        check(node.getOwnerUid() == 1000 && "0600".equals(node.getMode()), "the API shows the node as " + node);
        JsonNode[] r = new JsonNode[1];
        limitAndRun(oneGrant, "--map-size 4M " + g, r);
        check(r[0].path("ok").asBoolean(), "4 MiB DMA failed: " + r[0]);
        check(r[0].path("dma").path("size").asLong() == 4 * MiB, "no 4 MiB map: " + r[0]);
        JsonNode dev = r[0].path("devices").path(0);
        check(dev.path("bar0").path("size").asLong() > 0 && dev.path("bar0").has("reg8"), "no BAR0 register read: " + dev);
        check(dev.path("msix").path("enabled").asBoolean(), "MSI-X not enabled: " + dev);
        limitAndRun(oneGrant, "--map-size 32M " + g, r);
        check(!r[0].path("ok").asBoolean() && "ENOMEM".equals(r[0].path("error").asText())
                && "map_dma".equals(r[0].path("step").asText()),
                "32 MiB beyond the 16 MiB quota did not fail with ENOMEM at map_dma: " + r[0]);
    }

    /** 3 (the other mechanism): a PAM session of the grantee (runuser, pam_limits) gets the drop-in's 16 MiB. */
    void pamSession() throws Exception {
        check(oneGrant != null, "no grant from the previous scenario");
        String out = guest.ok("cat /etc/security/limits.d/90-vfio-broker-" + user + ".conf; "
                + "runuser -u " + user + " -- /bin/sh -c 'ulimit -l; ulimit -H -l'");
        log(out);
        String[] l = out.split("\n");
        check(l[l.length - 1].strip().equals("16384") && l[l.length - 2].strip().equals("16384"),
                "a PAM session of " + user + " does not get 16384 KiB: " + out);
        int g = oneGrant.getGroups().get(0).getIommuGroup();
        Guest.Result r = guest.run("runuser -u " + user + " -- \"$PROBE\" --map-size 4M " + g);
        check(r.rc() == 0, "4 MiB DMA in a PAM session failed: " + r.out());
    }

    void revokeOne() throws Exception {
        check(oneGrant != null, "no grant from the previous scenario");
        Grant g = new GrantsApi(scheduler).revokeGrant(oneGrant.getId(), false);
        check(g.getState() == GrantState.RELEASED, "state " + g.getState());
        for (String m : oneGrant.getGroups().get(0).getMembers()) {
            check(driverOf(m).equals("e1000e"), m + " is on " + driverOf(m));
        }
    }

    Grant twoGrant;
    long holder;

    /** 3: both e1000e groups to one user: one container, one map for both. */
    void twoGroups() throws Exception {
        twoGrant = new GrantsApi(scheduler).createGrant(new GrantRequest().unixUser(user).pool("e1000e").count(2)
                .memlockBytes(16 * MiB).durationSeconds(600L), "e2e-two-groups");
        log("grant: " + twoGrant);
        check(twoGrant.getState() == GrantState.ACTIVE, "grant is " + twoGrant.getState() + ": " + twoGrant.getReason());
        check(twoGrant.getGroups().size() == 2, "groups: " + twoGrant.getGroups());
        String groups = twoGrant.getGroups().get(0).getIommuGroup() + " " + twoGrant.getGroups().get(1).getIommuGroup();
        JsonNode[] r = new JsonNode[1];
        limitAndRun(twoGrant, "--map-size 4M " + groups, r);
        check(r[0].path("ok").asBoolean(), "DMA over both groups failed: " + r[0]);
        check(r[0].path("groups").size() == 2 && "one".equals(r[0].path("container").asText()),
                "not both groups in one container: " + r[0]);
        check(r[0].path("devices").size() == 2, "not both devices: " + r[0]);
        // The holder for scenarios 4-6: both groups, 8 MiB mapped, holding.
        holder = startWaiting(1000, "--map-size 8M --hold 300 " + groups);
        new GrantsApi(scheduler).limitGrantProcess(twoGrant.getId(), new ProcessLimitRequest().pid(holder));
        Guest.Result h = go(holder, false);
        log("holder " + holder + ": " + h.out());
        check(json(h.out()).path("ok").asBoolean(), "the holder failed: " + h.out());
    }

    /** 4: another unprivileged user gets EACCES on the same nodes. */
    void otherUser() throws Exception {
        check(twoGrant != null, "no grant from the previous scenario");
        int g = twoGrant.getGroups().get(0).getIommuGroup();
        Guest.Result r = guest.run("setpriv --reuid=1001 --regid=1001 --clear-groups /bin/sh -c 'exec \"$0\" --map-size 0 " + g
                + "' \"$PROBE\"");
        log("uid 1001: exit " + r.rc() + " " + r.out());
        check(r.rc() == 3 && json(r.out()).path("error").asText().equals("EACCES"), "uid 1001 got: " + r.out());
    }

    /** 5: while the probe holds the groups, the usage shows it and what it locks (type1 charges VmLck). */
    void usage() throws Exception {
        check(twoGrant != null && holder > 0, "no holder from the previous scenario");
        GrantUsage u = new GrantsApi(scheduler).getGrantUsage(twoGrant.getId());
        log("usage: " + u);
        String status = guest.ok("grep -E '^(VmLck|VmPin)' /proc/" + holder + "/status");
        log(status);
        check(u.getHolders().stream().anyMatch(h -> h.getPid() == holder && h.getUid() == 1000),
                "the holder " + holder + " is not listed: " + u.getHolders());
        for (Holder h : u.getHolders()) {
            check(h.getLockedBytes() >= 8 * MiB, "holder's lockedBytes " + h.getLockedBytes() + " < 8 MiB");
        }
        check(u.getLockedBytes() >= 8 * MiB && u.getLockedBytes() < 16 * MiB,
                "usage lockedBytes " + u.getLockedBytes() + " (one process holding two groups counted once: 8 MiB)");
        check(!u.getExcess(), "excess although within the quota");
    }

    /** 6: a forced revocation terminates the holder, nodes back to root 0600, e1000e and its interface back. */
    void forcedRevoke() throws Exception {
        check(twoGrant != null && holder > 0, "no holder from the previous scenario");
        List<Integer> groups = twoGrant.getGroups().stream().map(GrantGroup::getIommuGroup).toList();
        // A watcher in the guest records each node's owner and mode until it disappears.
        StringBuilder w = new StringBuilder();
        for (int g : groups) {
            w.append("( while [ -e /dev/vfio/").append(g).append(" ]; do stat -c '%u %g %a' /dev/vfio/").append(g)
                    .append(" 2>/dev/null; sleep 0.05; done > /tmp/e2e-watch.").append(g).append(" ) > /dev/null 2>&1 &\n");
        }
        guest.ok(w + "echo watching");
        try {
            new GrantsApi(scheduler).revokeGrant(twoGrant.getId(), true);
            throw new AssertionError("a SCHEDULER could force a revocation");
        } catch (ApiException e) {
            check(e.getCode() == 403, "a SCHEDULER's forced revocation: " + e.getCode());
        }
        try {
            new GrantsApi(scheduler).revokeGrant(twoGrant.getId(), false);
            throw new AssertionError("a graceful revocation went through while the probe holds the nodes");
        } catch (ApiException e) {
            log("graceful: " + e.getCode() + " " + e.getResponseBody());
            check(e.getCode() == 409 && e.getResponseBody().contains("group-in-use")
                    && e.getResponseBody().contains(String.valueOf(holder)), "graceful revocation: " + e.getResponseBody());
        }
        Grant g = new GrantsApi(admin).revokeGrant(twoGrant.getId(), true);
        log("revoked: " + g);
        check(g.getState() == GrantState.RELEASED, "state " + g.getState());
        check(guest.run("[ ! -e /proc/" + holder + " ]").rc() == 0, "the holder " + holder + " still runs");
        for (int gr : groups) {
            String seen = guest.ok("sleep 0.3; tail -n 1 /tmp/e2e-watch." + gr + "; [ -e /dev/vfio/" + gr
                    + " ] && echo \"now $(stat -c '%u %g %a' /dev/vfio/" + gr + ")\" || echo gone");
            log("/dev/vfio/" + gr + ": " + seen);
            check(seen.startsWith("0 0 600") || seen.contains("now 0 0 600"),
                    "/dev/vfio/" + gr + " was not root 0600 before it went: " + seen);
        }
        for (GrantGroup gg : twoGrant.getGroups()) {
            for (String m : gg.getMembers()) {
                check(driverOf(m).equals("e1000e"), m + " is on " + driverOf(m));
                String net = guest.ok("for i in $(seq 50); do ls /sys/bus/pci/devices/" + m
                        + "/net 2>/dev/null && break; sleep 0.1; done");
                check(!net.isBlank(), m + " has no network interface again");
                log(m + ": e1000e, " + net);
            }
        }
    }

    /** 9: two VFs through the API, one VF granted from a pool of the PF's VFs, DMA as uid 1000, revoked. */
    String pf;

    void sriov() throws Exception {
        InventoryApi inv = new InventoryApi(admin);
        pf = inv.listDevices("8086", "10c9", null, null, null, null, null, 0, 10).getItems().get(0).getAddress();
        SriovResult s = new SriovApi(admin).setSriovVfs(pf, new SriovChange().numVfs(2));
        log("sriov: " + s);
        check(s.getNumVfs() == 2 && s.getTotalVfs() >= 2, "sriov " + s);
        new PoolsApi(admin).createPool(new PoolInput().name("igb-vfs")
                .selector(new PoolSelector().addPhysicalFunctionsItem(pf)));
        new PoliciesApi(admin).createPolicy(new PolicyInput().pool("igb-vfs").unixUser(user).maxGroups(2)
                .maxMemlockBytes(32 * MiB).maxLeaseSeconds(3600L));
        List<Integer> groups = List.of();
        for (int i = 0; i < 60 && groups.size() < 2; i++) {
            groups = new PoolsApi(admin).listPools().stream().filter(p -> p.getName().equals("igb-vfs")).findFirst()
                    .orElseThrow().getGroups();
            if (groups.size() < 2) {
                Thread.sleep(500);
            }
        }
        check(groups.size() == 2, "the pool does not see two VF groups: " + groups);
        Grant g = new GrantsApi(scheduler).createGrant(new GrantRequest().unixUser(user).pool("igb-vfs").count(1)
                .memlockBytes(16 * MiB).durationSeconds(600L), "e2e-vf");
        check(g.getState() == GrantState.ACTIVE, "grant is " + g.getState() + ": " + g.getReason());
        int vg = g.getGroups().get(0).getIommuGroup();
        String vf = g.getGroups().get(0).getMembers().get(0);
        check(driverOf(vf).equals("vfio-pci"), vf + " on " + driverOf(vf));
        try {
            new SriovApi(admin).setSriovVfs(pf, new SriovChange().numVfs(0));
            throw new AssertionError("the VFs were removed while one is granted");
        } catch (ApiException e) {
            check(e.getCode() == 409 && e.getResponseBody().contains("vf-granted"), "numVfs 0 while granted: " + e.getResponseBody());
        }
        JsonNode[] r = new JsonNode[1];
        limitAndRun(g, "--map-size 4M " + vg, r);
        check(r[0].path("ok").asBoolean(), "DMA through the VF failed: " + r[0]);
        Grant rv = new GrantsApi(scheduler).revokeGrant(g.getId(), false);
        check(rv.getState() == GrantState.RELEASED, "state " + rv.getState());
        check(nodeOf(vg).equals("absent") || nodeOf(vg).equals("0 0 600"), "VF node " + nodeOf(vg));
    }

    /** 7: a grant that expires is revoked by itself (60 s lease, the reconcile every 3 s). */
    void expiry() throws Exception {
        boolean vf = sriov && pf != null;
        String pool = vf ? "igb-vfs" : "e1000e";
        Grant g = new GrantsApi(scheduler).createGrant(new GrantRequest().unixUser(user).pool(pool).count(1)
                .memlockBytes(16 * MiB).durationSeconds(60L), "e2e-expiry");
        check(g.getState() == GrantState.ACTIVE, "grant is " + g.getState() + ": " + g.getReason());
        int gr = g.getGroups().get(0).getIommuGroup();
        String member = g.getGroups().get(0).getMembers().get(0);
        check(nodeOf(gr).equals("1000 1000 600"), "node " + nodeOf(gr));
        long deadline = System.currentTimeMillis() + 100_000;
        Grant now = g;
        // ACTIVE until the reconcile sees the expiry, then RELEASING while it takes the devices back.
        while (System.currentTimeMillis() < deadline
                && (now.getState() == GrantState.ACTIVE || now.getState() == GrantState.RELEASING)) {
            Thread.sleep(2000);
            now = new GrantsApi(scheduler).getGrant(g.getId());
        }
        log("after the lease: " + now);
        check(now.getState() == GrantState.RELEASED, "the expired grant is " + now.getState());
        check(now.getReleasedAt() != null && !now.getReleasedAt().isBefore(g.getExpiresAt()),
                "released at " + now.getReleasedAt() + " before its expiry " + g.getExpiresAt());
        var events = new AuditApi(admin).listAuditEvents(null, "grant.expire", "grant:" + g.getId(), null, null, null, 0, 10);
        check(!events.getItems().isEmpty(), "no grant.expire audit event");
        check(!nodeOf(gr).startsWith("1000"), "the node still belongs to uid 1000: " + nodeOf(gr));
        String d = driverOf(member);
        check(!d.equals("vfio-pci"), member + " is still on vfio-pci");
        if (vf) {
            SriovResult s = new SriovApi(admin).setSriovVfs(pf, new SriovChange().numVfs(0));
            check(s.getNumVfs() == 0, "VFs not removed: " + s);
        }
    }

    /** 8: a restart with an active grant: reconciled (still ACTIVE, node still the grantee's), audit chain intact. */
    void restart() throws Exception {
        Grant g = new GrantsApi(scheduler).createGrant(new GrantRequest().unixUser(user).pool("e1000e").count(1)
                .memlockBytes(16 * MiB).durationSeconds(600L), "e2e-restart");
        check(g.getState() == GrantState.ACTIVE, "grant is " + g.getState() + ": " + g.getReason());
        int gr = g.getGroups().get(0).getIommuGroup();
        long t0 = System.currentTimeMillis();
        Guest.Result r = guest.run("restart_service", Duration.ofSeconds(480));
        log("restart (" + (System.currentTimeMillis() - t0) + " ms): " + r.out());
        check(r.rc() == 0, "restart failed: " + r.line());
        Files.writeString(results.resolve("scenario-ms.txt"), "rest:service-restart " + (System.currentTimeMillis() - t0) + "\n",
                StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        Grant after = new GrantsApi(scheduler).getGrant(g.getId());
        check(after.getState() == GrantState.ACTIVE, "after the restart the grant is " + after.getState() + ": " + after.getReason());
        check(nodeOf(gr).equals("1000 1000 600"), "node after the restart: " + nodeOf(gr));
        check(driverOf(g.getGroups().get(0).getMembers().get(0)).equals("vfio-pci"), "not on vfio-pci after the restart");
        AuditVerification v = new AuditApi(admin).verifyAuditChain();
        log("audit: " + v);
        check(Boolean.TRUE.equals(v.getIntact()) && v.getEventsChecked() > 10, "audit chain: " + v);
        Grant rv = new GrantsApi(scheduler).revokeGrant(g.getId(), false);
        check(rv.getState() == GrantState.RELEASED, "revoke after the restart: " + rv.getState());
        AuditVerification v2 = new AuditApi(admin).verifyAuditChain();
        check(Boolean.TRUE.equals(v2.getIntact()), "audit chain after the revocation: " + v2);
    }
}
