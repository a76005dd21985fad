/* usage.h - is a device used by the host? Interfaces up or routed, mounted or swapped block devices,
 * boot VGA, the device behind the root filesystem. */
#ifndef VBH_USAGE_H
#define VBH_USAGE_H

#include <stdbool.h>

#include "json.h"
#include "sysfs.h"

#define VBH_REASONS_MAX 32

struct usage {
	size_t count;
	char reasons[VBH_REASONS_MAX][96]; /* e.g. "net:eth0:up", "block:nvme0n1p2:mounted", "boot-vga" */
	bool root_device;
};

/* Reads the root filesystem's device from <root>/proc/self/mountinfo (once). */
int host_load_root(struct host *h);

/* Fills u with every in-use reason of the device (its subtree, not child PCI functions). */
int device_usage(struct host *h, const struct pci_dev *d, struct usage *u);

#endif
