package org.vfiobroker.host;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import org.vfiobroker.inventory.PciAddress;

import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Runs {@code vfio-broker-helper}: argv in (no shell, empty environment), one JSON object out,
 * within a timeout. Exit codes (see vfio-broker-helper(8)): 65 policy, 66 unsafe and 67 not found
 * become {@link HostRefusedException}; every other failure {@link HelperFailedException}; a
 * missing or non-executable binary {@link HelperUnavailableException}.
 */
public class NativeHelper implements HostAgent {

    static final int EXIT_POLICY = 65;
    static final int EXIT_UNSAFE = 66;
    static final int EXIT_NOT_FOUND = 67;
    private static final int MAX_OUTPUT = 8 * 1024 * 1024;

    private final Path binary;
    private final Duration timeout;
    private final List<String> leadingArguments;
    private final JsonMapper json = JsonMapper.builder().build();

    public NativeHelper(HelperProperties properties) {
        this(properties.path(), properties.timeout(), List.of());
    }

    /** For tests of the helper's test build, whose argv must begin with {@code --root DIR}. */
    NativeHelper(Path binary, Duration timeout, List<String> leadingArguments) {
        this.binary = binary;
        this.timeout = timeout;
        this.leadingArguments = List.copyOf(leadingArguments);
    }

    @Override
    public GroupInspection inspectGroup(int group) {
        JsonNode r = run("inspect-group", String.valueOf(group));
        List<GroupInspection.Member> members = new ArrayList<>();
        for (JsonNode m : r.path("members").values()) {
            members.add(new GroupInspection.Member(text(m, "address"), text(m, "vendor"), text(m, "device"),
                    text(m, "class"), text(m, "driver"), m.path("bridge").asBoolean(),
                    m.path("dmaOwnershipOk").asBoolean(), strings(m.path("inUse")), m.path("rootDevice").asBoolean(),
                    m.path("allowedByPolicy").asBoolean(), text(m, "policyDecision"), strings(m.path("cdevs"))));
        }
        return new GroupInspection(r.path("group").asInt(), r.path("noiommu").asBoolean(), text(r, "type"),
                r.path("viable").asBoolean(), members, node(r.path("node")), nodes(r.path("cdevNodes")),
                r.path("containerUsable").asBoolean());
    }

    @Override
    public BindResult bindGroup(int group) {
        JsonNode r = run("bind-group", String.valueOf(group));
        List<BindResult.MemberBinding> members = new ArrayList<>();
        for (JsonNode m : r.path("members").values()) {
            members.add(new BindResult.MemberBinding(text(m, "address"), text(m, "previousDriver"),
                    text(m, "action"), text(m, "driver")));
        }
        return new BindResult(r.path("group").asInt(), members, r.path("viable").asBoolean());
    }

    @Override
    public RestoreResult restore(PciAddress address, Optional<String> previousDriver) {
        List<String> args = new ArrayList<>(List.of("restore", address.toString()));
        previousDriver.ifPresent(args::add);
        JsonNode r = run(args.toArray(String[]::new));
        return new RestoreResult(text(r, "address"), text(r, "previousDriver"), text(r, "action"), text(r, "driver"));
    }

    @Override
    public NodeGrant grantNodes(int group, int uid, int gid, NodeMode mode) {
        JsonNode r = run("grant-nodes", String.valueOf(group), Integer.toUnsignedString(uid),
                Integer.toUnsignedString(gid), mode.octal());
        return nodeGrant(r);
    }

    @Override
    public NodeGrant revokeNodes(int group) {
        return nodeGrant(run("revoke-nodes", String.valueOf(group)));
    }

    @Override
    public NumVfsResult setNumVfs(PciAddress physicalFunction, int numVfs) {
        JsonNode r = run("set-numvfs", physicalFunction.toString(), String.valueOf(numVfs));
        return new NumVfsResult(text(r, "address"), r.path("totalVfs").asInt(), r.path("previousNumVfs").asInt(),
                r.path("numVfs").asInt());
    }

    @Override
    public MemlockResult setUserMemlock(String user, long bytes) {
        JsonNode r = run("memlock-user", user, Long.toString(bytes));
        return new MemlockResult(text(r, "user"), r.path("uid").asInt(), r.path("memlockBytes").asLong(), false);
    }

    @Override
    public MemlockResult removeUserMemlock(String user) {
        JsonNode r = run("memlock-user", user, "remove");
        return new MemlockResult(text(r, "user"), r.path("uid").asInt(), 0, r.path("removed").asBoolean());
    }

    @Override
    public ProcessMemlockResult setProcessMemlock(long pid, int uid, long bytes) {
        JsonNode r = run("memlock-pid", Long.toString(pid), Integer.toUnsignedString(uid), Long.toString(bytes));
        JsonNode previous = r.path("previous");
        return new ProcessMemlockResult(r.path("pid").asLong(), r.path("uid").asInt(), text(r, "comm"),
                r.path("memlockBytes").asLong(), limit(previous.path("soft")), limit(previous.path("hard")));
    }

    @Override
    public List<Holder> holders(int group) {
        JsonNode r = run("holders", String.valueOf(group));
        List<Holder> holders = new ArrayList<>();
        for (JsonNode h : r.path("holders").values()) {
            holders.add(new Holder(h.path("pid").asLong(), h.path("uid").asInt(), text(h, "comm"),
                    h.path("vmLckBytes").asLong(), h.path("vmPinBytes").asLong()));
        }
        return holders;
    }

    @Override
    public TerminationReport terminateHolders(int group, Duration grace) {
        JsonNode r = run("terminate-holders", String.valueOf(group), Long.toString(grace.toMillis()));
        List<TerminationReport.Outcome> outcomes = new ArrayList<>();
        for (JsonNode h : r.path("holders").values()) {
            outcomes.add(new TerminationReport.Outcome(h.path("pid").asLong(), h.path("uid").asInt(),
                    text(h, "comm"), text(h, "outcome")));
        }
        return new TerminationReport(r.path("group").asInt(), outcomes, r.path("allGone").asBoolean());
    }

    @Override
    public void reset(PciAddress address) {
        run("reset", address.toString());
    }

    @Override
    public byte[] readConfigSpace(PciAddress address) {
        JsonNode r = run("read-config", address.toString());
        String hex = text(r, "config");
        try {
            return HexFormat.of().parseHex(hex == null ? "" : hex);
        } catch (IllegalArgumentException e) {
            throw new HelperFailedException("read-config", 0, "unreadable-output",
                    "read-config: the helper returned config space that is not hexadecimal", List.of(), e);
        }
    }

    @Override
    public HelperVersion version() {
        JsonNode r = run("version");
        return new HelperVersion(text(r, "version"), text(r, "build"));
    }

    @Override
    public Optional<DeviceNode> groupNode(int group) {
        DeviceNode node = inspectGroup(group).node();
        return node.exists() ? Optional.of(node) : Optional.empty();
    }

    /** Runs the helper once and returns its JSON object when it succeeded. */
    JsonNode run(String... arguments) {
        String verb = arguments[0];
        if (!Files.isRegularFile(binary) || !Files.isExecutable(binary)) {
            throw new HelperUnavailableException(verb,
                    "the helper " + binary + " is missing or not executable; install vfio-broker-helper", null);
        }
        List<String> command = new ArrayList<>();
        command.add(binary.toString());
        command.addAll(leadingArguments);
        command.addAll(List.of(arguments));
        ProcessBuilder builder = new ProcessBuilder(command);
        builder.environment().clear();
        builder.redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
        builder.redirectError(ProcessBuilder.Redirect.DISCARD);
        Process process;
        try {
            process = builder.start();
        } catch (IOException e) {
            throw new HelperUnavailableException(verb, "cannot start the helper " + binary + ": " + e.getMessage(), e);
        }
        CompletableFuture<byte[]> stdout = CompletableFuture.supplyAsync(() -> readBounded(process.getInputStream()));
        int exit;
        byte[] output;
        try {
            if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                process.destroyForcibly();
                throw new HelperFailedException(verb, -1, "timeout",
                        verb + ": the helper did not finish within " + timeout, List.of(), null);
            }
            exit = process.exitValue();
            output = stdout.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new HelperFailedException(verb, -1, "interrupted", verb + ": interrupted", List.of(), e);
        } catch (ExecutionException | TimeoutException e) {
            process.destroyForcibly();
            throw new HelperFailedException(verb, -1, "unreadable-output", verb + ": cannot read the helper's output",
                    List.of(), e);
        }
        return interpret(verb, exit, output);
    }

    JsonNode interpret(String verb, int exit, byte[] output) {
        JsonNode result;
        try {
            result = json.readTree(new String(output, StandardCharsets.UTF_8));
        } catch (JacksonException e) {
            throw new HelperFailedException(verb, exit, "unreadable-output",
                    verb + ": the helper's output is not JSON (exit " + exit + ")", List.of(), e);
        }
        if (result == null || !result.isObject()) {
            throw new HelperFailedException(verb, exit, "unreadable-output",
                    verb + ": the helper's output is not one JSON object (exit " + exit + ")", List.of(), null);
        }
        boolean ok = result.path("ok").asBoolean(false);
        if (exit == 0 && ok) {
            return result;
        }
        JsonNode error = result.path("error");
        String code = error.path("code").asString("unknown");
        String message = error.path("message").asString(verb + ": the helper failed with exit code " + exit);
        List<String> reasons = strings(error.path("reasons"));
        if (exit == 0) {
            throw new HelperFailedException(verb, exit, "inconsistent-output",
                    verb + ": the helper exited 0 but did not report success", reasons, null);
        }
        if (exit == EXIT_POLICY || exit == EXIT_UNSAFE || exit == EXIT_NOT_FOUND) {
            throw new HostRefusedException(verb, exit, code, message, reasons);
        }
        throw new HelperFailedException(verb, exit, code, message, reasons, null);
    }

    private static byte[] readBounded(InputStream in) {
        try (in) {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            byte[] buffer = new byte[16384];
            int n;
            while ((n = in.read(buffer)) > 0) {
                if (out.size() + n > MAX_OUTPUT) {
                    throw new IllegalStateException("helper output larger than " + MAX_OUTPUT + " bytes");
                }
                out.write(buffer, 0, n);
            }
            return out.toByteArray();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private NodeGrant nodeGrant(JsonNode r) {
        return new NodeGrant(r.path("group").asInt(), node(r.path("node")), nodes(r.path("cdevNodes")),
                r.path("containerUsable").asBoolean());
    }

    private static DeviceNode node(JsonNode n) {
        String path = text(n, "path");
        if (!n.path("exists").asBoolean()) {
            return DeviceNode.absent(path);
        }
        return new DeviceNode(path, true, (int) n.path("uid").asLong(), (int) n.path("gid").asLong(),
                Integer.parseInt(n.path("mode").asString("0"), 8));
    }

    private static List<DeviceNode> nodes(JsonNode array) {
        List<DeviceNode> nodes = new ArrayList<>();
        for (JsonNode n : array.values()) {
            nodes.add(node(n));
        }
        return nodes;
    }

    private static List<String> strings(JsonNode array) {
        List<String> out = new ArrayList<>();
        for (JsonNode s : array.values()) {
            out.add(s.asString());
        }
        return out;
    }

    private static String text(JsonNode n, String field) {
        JsonNode v = n.path(field);
        return v.isMissingNode() || v.isNull() ? null : v.asString();
    }

    private static long limit(JsonNode n) {
        return n.isNull() || n.isMissingNode() ? -1 : n.asLong();
    }
}
