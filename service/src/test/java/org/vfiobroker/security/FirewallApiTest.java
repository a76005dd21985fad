package org.vfiobroker.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.mock.web.MockHttpServletRequest;
import org.springframework.security.web.FilterChainProxy;
import org.springframework.security.web.firewall.RequestRejectedException;
import org.springframework.security.web.firewall.StrictHttpFirewall;
import org.vfiobroker.support.ApiTest;

/** The firewall in front of every request is the strict one, with the service's rules for names and values. */
class FirewallApiTest extends ApiTest {

    @Autowired
    FilterChainProxy chain;

    @Test
    void aParameterOrHeaderNameWithAControlCharacterIsRejected() throws Exception {
        MockHttpServletRequest request = new MockHttpServletRequest("GET", "/api/v1/devices");
        request.setServletPath("/api/v1/devices");
        request.addParameter("size\u0001", "1");
        request.addHeader("X-Bad\u0007", "v");
        request.addHeader("X-Fine", "tab\tis allowed in a value");

        var firewalled = firewall().getFirewalledRequest(request);

        assertThat(firewalled.getHeader("X-Fine")).isEqualTo("tab\tis allowed in a value");
        assertThatThrownBy(() -> firewalled.getParameterValues("size\u0001"))
                .isInstanceOf(RequestRejectedException.class);
        assertThatThrownBy(() -> firewalled.getHeader("X-Bad\u0007"))
                .isInstanceOf(RequestRejectedException.class);
    }

    /** The firewall the filter chain uses (not exposed by it). */
    private StrictHttpFirewall firewall() throws Exception {
        java.lang.reflect.Field f = FilterChainProxy.class.getDeclaredField("firewall");
        f.setAccessible(true);
        return (StrictHttpFirewall) f.get(chain);
    }
}
