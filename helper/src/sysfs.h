/* sysfs.h - the host tree: directory fds under the root, devices, groups, attributes. */
#ifndef VBH_SYSFS_H
#define VBH_SYSFS_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "args.h"

#define VBH_GROUP_MEMBERS_MAX 64
#define VBH_ATTR_MAX 4096

struct host {
	int rootfd;      /* "/" (production) or --root (test build) */
	int sysfd;       /* <root>/sys */
	int hostprocfd;  /* <root>/proc: mountinfo, swaps, routes (host state the in-use rules read) */
	int procfd;      /* the real /proc: processes (holders, memlock-pid) in both builds */
	dev_t root_majmin; /* device of the root filesystem, 0 when unknown */
	bool root_known;
};

struct pci_dev {
	struct pci_addr addr;
	char bdf[13];
	int fd;                 /* O_PATH-free directory fd of the device under <root>/sys/devices */
	unsigned vendor, device, class_code;
	char driver[VBH_DRIVER_MAX + 1]; /* "" when unbound */
	int group;              /* -1 when the device has no iommu_group */
};

struct iommu_group {
	unsigned number;
	size_t count;
	struct pci_dev members[VBH_GROUP_MEMBERS_MAX];
	bool noiommu;
	char type[32];          /* iommu_groups/N/type, "" when absent */
};

int host_open(const char *root, struct host *h);
void host_close(struct host *h);

/* Opens relpath ("a/b/c") below dirfd one component at a time with O_NOFOLLOW; rejects "..", ".", "". */
int open_beneath(int dirfd, const char *relpath, int flags);

/* Bounded attribute read: whole file must fit; trailing newline removed. Returns length or -1. */
ssize_t read_attr(int dirfd, const char *name, char *buf, size_t size, const char *what);
/* Optional variant: returns -2 (no failure recorded) when the file does not exist. */
ssize_t read_attr_opt(int dirfd, const char *name, char *buf, size_t size, const char *what);
/* Writes the whole value in one write(2) to an existing attribute (never creates). */
int write_attr(int dirfd, const char *name, const char *value, const char *what);
/* Reads a symlink and returns its last component; -2 (no failure) when absent. */
int read_link_base(int dirfd, const char *name, char *out, size_t size, const char *what);

/* Resolves <root>/sys/bus/pci/devices/<bdf> and verifies it stays under <root>/sys/devices. */
int pci_dev_open(struct host *h, const struct pci_addr *a, struct pci_dev *d);
void pci_dev_close(struct pci_dev *d);
int pci_dev_refresh_driver(struct pci_dev *d);
bool pci_dev_is_bridge(const struct pci_dev *d);

/* Same check for a symlink under sys/<linkdir>/<name> (class/block, ...): opens the target dir. */
int sys_resolve_link(struct host *h, const char *linkdir, const char *name, const char *what);

int group_open(struct host *h, unsigned number, struct iommu_group *g);
void group_close(struct iommu_group *g);

/* The DMA ownership rule (kernel: driver_managed_dma): vfio-pci, *_vfio_pci, pci-stub, pcieport, none. */
bool dma_ownership_ok(const char *driver);

#endif
