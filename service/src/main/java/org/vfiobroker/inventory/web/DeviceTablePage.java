package org.vfiobroker.inventory.web;

import java.util.List;
import java.util.function.IntFunction;
import org.vfiobroker.inventory.PciFunction;

/** One page of the device table, with the links that keep the current filters. */
public record DeviceTablePage(List<PciFunction> items, int page, int size, int totalItems, IntFunction<String> links) {

    static DeviceTablePage of(List<PciFunction> matching, int page, int size, IntFunction<String> links) {
        int total = matching.size();
        int from = (int) Math.min((long) page * size, total);
        int to = Math.min(from + size, total);
        return new DeviceTablePage(matching.subList(from, to), page, size, total, links);
    }

    public int totalPages() {
        return (totalItems + size - 1) / size;
    }

    /** One-based position of the first item shown (0 when there is none). */
    public int from() {
        return items.isEmpty() ? 0 : page * size + 1;
    }

    public int to() {
        return page * size + items.size();
    }

    public String link(int targetPage) {
        return links.apply(targetPage);
    }
}
