package org.vfiobroker.inventory.web;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.springframework.context.MessageSource;
import org.vfiobroker.host.HelperStatus;
import org.vfiobroker.inventory.DeviceNodeStatus;
import org.vfiobroker.inventory.HostSummary;

/**
 * The overview's warnings in plain language, worst first: what stops grants on this host and what an
 * administrator should do about it. Texts come from the message bundle ({@code warning.*}).
 */
final class HostWarnings {

    /** The mode {@code /dev/vfio/vfio} needs so that an unprivileged user can open a container. */
    static final String CONTAINER_MODE = "0666";

    private HostWarnings() {
    }

    /**
     * @param level {@code bad} (grants impossible or unsafe), {@code warn} (something to look at) or
     *              {@code info}
     * @param text  the sentence to show
     */
    record Warning(String level, String text) {
    }

    static List<Warning> of(HostSummary host, HelperStatus.State helper, MessageSource messages, Locale locale) {
        List<Warning> out = new ArrayList<>();
        if (!host.iommu().present()) {
            out.add(new Warning("bad", messages.getMessage("warning.noIommu", null, locale)));
        }
        if (host.noiommuMode()) {
            out.add(new Warning("bad", messages.getMessage("warning.noiommu",
                    new Object[] {host.noiommuGroups().size()}, locale)));
        }
        switch (helper.kind()) {
            case MISSING -> out.add(new Warning("bad",
                    messages.getMessage("warning.helperMissing", new Object[] {helper.problem()}, locale)));
            case FAILING -> out.add(new Warning("bad",
                    messages.getMessage("warning.helperFailing", new Object[] {helper.problem()}, locale)));
            case TEST_BUILD -> out.add(new Warning("warn",
                    messages.getMessage("warning.helperTestBuild", new Object[] {helper.version()}, locale)));
            case SIMULATED -> out.add(new Warning("info", messages.getMessage("warning.simulated", null, locale)));
            case PRODUCTION -> {
            }
        }
        DeviceNodeStatus container = host.vfioContainer();
        if (!container.exists()) {
            out.add(new Warning("bad", messages.getMessage("warning.containerMissing",
                    new Object[] {container.path()}, locale)));
        } else if (!CONTAINER_MODE.equals(container.mode())) {
            out.add(new Warning("bad", messages.getMessage("warning.containerMode",
                    new Object[] {container.path(), container.mode()}, locale)));
        }
        if (host.taint().tainted()) {
            StringBuilder flags = new StringBuilder();
            host.taint().flags().forEach(f -> flags.append(flags.isEmpty() ? "" : "; ").append(f.letter()).append(' ')
                    .append(f.description()));
            out.add(new Warning("warn", messages.getMessage("warning.tainted",
                    new Object[] {String.valueOf(host.taint().value()), flags.toString()}, locale)));
        }
        if (host.vfioModules().isEmpty()) {
            out.add(new Warning("warn", messages.getMessage("warning.noVfioModules", null, locale)));
        }
        return out;
    }
}
