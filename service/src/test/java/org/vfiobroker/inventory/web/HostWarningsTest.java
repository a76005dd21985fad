package org.vfiobroker.inventory.web;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.springframework.context.support.ResourceBundleMessageSource;
import org.vfiobroker.host.HelperStatus;
import org.vfiobroker.inventory.DeviceNodeStatus;
import org.vfiobroker.inventory.HostSummary;

/** The overview's warnings, in plain words, from the bundle the pages use. */
class HostWarningsTest {

    private final ResourceBundleMessageSource messages = new ResourceBundleMessageSource();

    {
        messages.setBasename("messages");
        messages.setDefaultEncoding("UTF-8");
    }

    private static HostSummary host(boolean iommu, boolean noiommu, long taint, DeviceNodeStatus container) {
        return new HostSummary("6.1.0", new HostSummary.Iommu(iommu, iommu ? HostSummary.IommuKind.INTEL_VT_D
                : HostSummary.IommuKind.NONE, iommu ? List.of("dmar0") : List.of(), iommu ? 3 : 0), Map.of(),
                List.of(new HostSummary.VfioModule("vfio_pci", Map.of())), noiommu, noiommu ? List.of(0) : List.of(),
                new HostSummary.Taint(taint, taint == 0 ? List.of()
                        : List.of(new HostSummary.TaintFlag(12, 'O', "externally-built module"))),
                false, false, container, List.of());
    }

    private static final DeviceNodeStatus CONTAINER_OK =
            new DeviceNodeStatus("/dev/vfio/vfio", true, true, 0, 0, "0666");
    private static final HelperStatus.State PRODUCTION =
            new HelperStatus.State(HelperStatus.Kind.PRODUCTION, "1.0", "production", null);

    private List<HostWarnings.Warning> warnings(HostSummary host, HelperStatus.State helper) {
        return HostWarnings.of(host, helper, messages, Locale.ENGLISH);
    }

    @Test
    void aHealthyHostWithTheProductionHelperHasNoWarning() {
        assertThat(warnings(host(true, false, 0, CONTAINER_OK), PRODUCTION)).isEmpty();
    }

    @Test
    void noIommuAndNoiommuModeAreReportedAsBad() {
        assertThat(warnings(host(false, true, 0, CONTAINER_OK), PRODUCTION))
                .extracting(HostWarnings.Warning::level, w -> w.text().substring(0, 20))
                .contains(org.assertj.core.groups.Tuple.tuple("bad", "No IOMMU is active o"),
                        org.assertj.core.groups.Tuple.tuple("bad", "vfio's unsafe no-IOM"));
    }

    @Test
    void aMissingHelperSaysWhatToDo() {
        var w = warnings(host(true, false, 0, CONTAINER_OK),
                new HelperStatus.State(HelperStatus.Kind.MISSING, null, null, "/usr/libexec/vfio-broker-helper: not found"));

        assertThat(w).singleElement().satisfies(x -> {
            assertThat(x.level()).isEqualTo("bad");
            assertThat(x.text()).contains("cannot be run").contains("not found").contains("setuid root");
        });
    }

    @Test
    void aContainerNodeNotOpenToUsersIsBad() {
        var w = warnings(host(true, false, 0, new DeviceNodeStatus("/dev/vfio/vfio", true, true, 0, 0, "0600")),
                PRODUCTION);

        assertThat(w).singleElement().satisfies(x -> assertThat(x.text()).contains("mode 0600").contains("0666"));
    }

    @Test
    void aTaintedKernelIsAWarningNamingTheFlags() {
        assertThat(warnings(host(true, false, 4096, CONTAINER_OK), PRODUCTION)).singleElement()
                .satisfies(x -> assertThat(x.text()).contains("4096").contains("O externally-built module"));
    }
}
