/*
 * vfio-probe: what an unprivileged user-space driver does first, as a test oracle.
 *
 * Opens the VFIO container /dev/vfio/vfio, checks the API version and type1 support, opens one or
 * more groups /dev/vfio/<N> and puts ALL of them in that ONE container (VFIO_GROUP_SET_CONTAINER for
 * each, VFIO_SET_IOMMU once), then for each group's device: gets the device fd, reads vendor and
 * device id through the config-space region, mmaps BAR0 and reads a register, enables MSI-X vector 0
 * with an eventfd and disables it again. Finally maps --map-size bytes of anonymous memory for DMA
 * once (VFIO_IOMMU_MAP_DMA: the pages are pinned and charged to RLIMIT_MEMLOCK) and reports one JSON
 * line on stdout. With --hold it then keeps everything open and mapped for N seconds so that holders
 * and pinned memory can be observed from outside.
 *
 * Usage: vfio-probe [--map-size SIZE] [--hold SECONDS] [--device BDF] [--no-device] GROUP...
 *   SIZE     bytes, or with a K, M or G suffix (binary); 0 skips the DMA map. Default 4M.
 *   BDF      the device to open in the (first) group, e.g. 0000:00:02.0; default: every device listed
 *            in /sys/kernel/iommu_groups/<N>/devices (readable by anyone).
 *   --no-device  only container, groups and the DMA map (no device fd, BAR, MSI-X).
 *
 * Output (one line): {"ok":true|false, "step":"...", "errno":N, "error":"ENAME", "message":"...",
 *   "apiVersion":N, "groups":[{"group":N,"viable":bool,"devices":[{...}]}], "dma":{...}}
 *   On failure "step" names the first step that failed and "errno"/"error" its errno.
 *
 * Exit codes:
 *   0  every step succeeded
 *   1  usage error
 *   2  container: /dev/vfio/vfio cannot be opened, wrong API version, or no type1 IOMMU
 *   3  group: /dev/vfio/<N> cannot be opened (EACCES: not the owner), not viable, or cannot be
 *      attached to the container / the IOMMU cannot be set
 *   4  device: device fd, config space, BAR0 mmap or MSI-X failed
 *   5  DMA: the anonymous memory or VFIO_IOMMU_MAP_DMA failed (ENOMEM: beyond RLIMIT_MEMLOCK)
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <linux/vfio.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

enum { EXIT_USAGE = 1, EXIT_CONTAINER = 2, EXIT_GROUP = 3, EXIT_DEVICE = 4, EXIT_DMA = 5 };
enum { MAX_GROUPS = 16, MAX_DEVICES = 8 };

/* The JSON line is built here and printed once. */
static char out[16384];
static size_t out_len;

static void emit(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void emit(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(out + out_len, sizeof(out) - out_len, fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= sizeof(out) - out_len) {
		fputs("{\"ok\":false,\"step\":\"output\",\"message\":\"report too long\"}\n", stdout);
		exit(EXIT_USAGE);
	}
	out_len += (size_t)n;
}

static const char *errno_name(int e)
{
	switch (e) {
	case EACCES: return "EACCES";
	case EPERM: return "EPERM";
	case ENOENT: return "ENOENT";
	case ENOMEM: return "ENOMEM";
	case EBUSY: return "EBUSY";
	case EINVAL: return "EINVAL";
	case ENODEV: return "ENODEV";
	case EFAULT: return "EFAULT";
	case EEXIST: return "EEXIST";
	case ENOTTY: return "ENOTTY";
	case EAGAIN: return "EAGAIN";
	case ENOSPC: return "ENOSPC";
	default: return "E?";
	}
}

/* Closes the report with a failure and exits. Any open objects are released by exit(). */
static void fail(int code, const char *step, int err, const char *detail)
{
	emit("%s\"ok\":false,\"step\":\"%s\",\"errno\":%d,\"error\":\"%s\",\"message\":\"%s%s%s\"}",
	     out_len > 1 ? "," : "", step, err, errno_name(err), detail ? detail : "",
	     detail ? ": " : "", strerror(err));
	puts(out);
	exit(code);
}

static bool parse_u64(const char *s, uint64_t *v, bool suffix)
{
	char *end;
	errno = 0;
	if (*s < '0' || *s > '9')
		return false;
	unsigned long long n = strtoull(s, &end, 10);
	if (errno)
		return false;
	unsigned shift = 0;
	if (suffix && *end) {
		switch (*end) {
		case 'K': case 'k': shift = 10; break;
		case 'M': case 'm': shift = 20; break;
		case 'G': case 'g': shift = 30; break;
		default: return false;
		}
		end++;
	}
	if (*end || (shift && n > (UINT64_MAX >> shift)))
		return false;
	*v = (uint64_t)n << shift;
	return true;
}

static bool valid_bdf(const char *s)
{
	/* DDDD:BB:DD.F, hex */
	if (strlen(s) != 12)
		return false;
	for (int i = 0; i < 12; i++) {
		char c = s[i];
		bool hex = (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
		if ((i == 4 || i == 7) ? c != ':' : i == 10 ? c != '.' : !hex)
			return false;
	}
	return true;
}

static void usage(void)
{
	fputs("usage: vfio-probe [--map-size SIZE] [--hold SECONDS] [--device BDF] [--no-device] GROUP...\n",
	      stderr);
	exit(EXIT_USAGE);
}

/* Lists the devices of a group from sysfs (world-readable). */
static int group_devices(unsigned group, char names[MAX_DEVICES][16])
{
	char path[64];
	int n = snprintf(path, sizeof(path), "/sys/kernel/iommu_groups/%u/devices", group);
	if (n < 0 || (size_t)n >= sizeof(path))
		return -1;
	DIR *d = opendir(path);
	if (!d)
		return -1;
	int count = 0;
	struct dirent *e;
	while ((e = readdir(d)) != NULL) {
		if (!valid_bdf(e->d_name))
			continue;
		if (count == MAX_DEVICES) {
			closedir(d);
			errno = E2BIG;
			return -1;
		}
		memcpy(names[count++], e->d_name, 13);
	}
	closedir(d);
	return count;
}

static void probe_device(int group_fd, const char *name)
{
	int dev = ioctl(group_fd, VFIO_GROUP_GET_DEVICE_FD, name);
	if (dev < 0)
		fail(EXIT_DEVICE, "device_fd", errno, name);
	emit("{\"name\":\"%s\"", name);

	struct vfio_device_info info = { .argsz = sizeof(info) };
	if (ioctl(dev, VFIO_DEVICE_GET_INFO, &info) < 0)
		fail(EXIT_DEVICE, "device_info", errno, name);
	if (!(info.flags & VFIO_DEVICE_FLAGS_PCI))
		fail(EXIT_DEVICE, "device_info", ENODEV, "not a PCI device");
	emit(",\"regions\":%u,\"irqs\":%u", info.num_regions, info.num_irqs);

	/* Config space through the config region. */
	struct vfio_region_info cfg = { .argsz = sizeof(cfg), .index = VFIO_PCI_CONFIG_REGION_INDEX };
	if (ioctl(dev, VFIO_DEVICE_GET_REGION_INFO, &cfg) < 0)
		fail(EXIT_DEVICE, "config_region", errno, name);
	uint16_t ids[2];
	if (pread(dev, ids, sizeof(ids), (off_t)cfg.offset) != (ssize_t)sizeof(ids))
		fail(EXIT_DEVICE, "config_read", errno ? errno : EIO, name);
	emit(",\"vendor\":\"0x%04x\",\"device\":\"0x%04x\"", ids[0], ids[1]);

	/* BAR0 mapped into this process; read the register at offset 8 (STATUS on Intel NICs). */
	struct vfio_region_info bar = { .argsz = sizeof(bar), .index = VFIO_PCI_BAR0_REGION_INDEX };
	if (ioctl(dev, VFIO_DEVICE_GET_REGION_INFO, &bar) < 0)
		fail(EXIT_DEVICE, "bar0_info", errno, name);
	if (!(bar.flags & VFIO_REGION_INFO_FLAG_MMAP) || bar.size < 16)
		fail(EXIT_DEVICE, "bar0_info", ENOTSUP, "BAR0 is not mmap-able");
	void *regs = mmap(NULL, (size_t)bar.size, PROT_READ, MAP_SHARED, dev, (off_t)bar.offset);
	if (regs == MAP_FAILED)
		fail(EXIT_DEVICE, "bar0_mmap", errno, name);
	uint32_t reg = *(volatile uint32_t *)((char *)regs + 8);
	emit(",\"bar0\":{\"size\":%" PRIu64 ",\"reg8\":\"0x%08" PRIx32 "\"}", (uint64_t)bar.size, reg);
	munmap(regs, (size_t)bar.size);

	/* MSI-X: vector 0 signals an eventfd; then disabled again. */
	struct vfio_irq_info irq = { .argsz = sizeof(irq), .index = VFIO_PCI_MSIX_IRQ_INDEX };
	if (ioctl(dev, VFIO_DEVICE_GET_IRQ_INFO, &irq) < 0)
		fail(EXIT_DEVICE, "msix_info", errno, name);
	if (irq.count == 0)
		fail(EXIT_DEVICE, "msix_info", ENOTSUP, "no MSI-X vectors");
	int efd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (efd < 0)
		fail(EXIT_DEVICE, "eventfd", errno, name);
	_Alignas(struct vfio_irq_set) unsigned char buf[sizeof(struct vfio_irq_set) + sizeof(int32_t)];
	struct vfio_irq_set *on = (struct vfio_irq_set *)buf;
	on->argsz = sizeof(buf);
	on->flags = VFIO_IRQ_SET_DATA_EVENTFD | VFIO_IRQ_SET_ACTION_TRIGGER;
	on->index = VFIO_PCI_MSIX_IRQ_INDEX;
	on->start = 0;
	on->count = 1;
	int32_t fd32 = efd;
	memcpy(on->data, &fd32, sizeof(fd32));
	if (ioctl(dev, VFIO_DEVICE_SET_IRQS, on) < 0)
		fail(EXIT_DEVICE, "msix_enable", errno, name);
	struct vfio_irq_set off = { .argsz = sizeof(off), .flags = VFIO_IRQ_SET_DATA_NONE | VFIO_IRQ_SET_ACTION_TRIGGER,
				    .index = VFIO_PCI_MSIX_IRQ_INDEX, .start = 0, .count = 0 };
	if (ioctl(dev, VFIO_DEVICE_SET_IRQS, &off) < 0)
		fail(EXIT_DEVICE, "msix_disable", errno, name);
	close(efd);
	emit(",\"msix\":{\"vectors\":%u,\"enabled\":true}}", irq.count);
	/* The device fd stays open: it is part of what a holder holds. */
}

int main(int argc, char **argv)
{
	uint64_t map_size = 4u << 20, hold = 0;
	const char *only_device = NULL;
	bool devices = true;
	unsigned groups[MAX_GROUPS];
	int ngroups = 0;

	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		if (!strcmp(a, "--map-size") && i + 1 < argc) {
			if (!parse_u64(argv[++i], &map_size, true))
				usage();
		} else if (!strcmp(a, "--hold") && i + 1 < argc) {
			if (!parse_u64(argv[++i], &hold, false) || hold > 86400)
				usage();
		} else if (!strcmp(a, "--device") && i + 1 < argc) {
			only_device = argv[++i];
			if (!valid_bdf(only_device))
				usage();
		} else if (!strcmp(a, "--no-device")) {
			devices = false;
		} else if (a[0] == '-') {
			usage();
		} else {
			uint64_t g;
			if (ngroups == MAX_GROUPS || !parse_u64(a, &g, false) || g > INT_MAX)
				usage();
			groups[ngroups++] = (unsigned)g;
		}
	}
	if (ngroups == 0)
		usage();
	long page = sysconf(_SC_PAGESIZE);
	if (page <= 0 || map_size % (uint64_t)page != 0) {
		fputs("vfio-probe: --map-size must be a multiple of the page size\n", stderr);
		return EXIT_USAGE;
	}

	emit("{");
	int container = open("/dev/vfio/vfio", O_RDWR | O_CLOEXEC);
	if (container < 0)
		fail(EXIT_CONTAINER, "open_container", errno, "/dev/vfio/vfio");
	int api = ioctl(container, VFIO_GET_API_VERSION);
	emit("\"apiVersion\":%d", api);
	if (api != VFIO_API_VERSION)
		fail(EXIT_CONTAINER, "api_version", EINVAL, "unexpected VFIO API version");
	if (ioctl(container, VFIO_CHECK_EXTENSION, VFIO_TYPE1v2_IOMMU) != 1)
		fail(EXIT_CONTAINER, "type1", ENOTSUP, "no VFIO_TYPE1v2_IOMMU");

	int group_fds[MAX_GROUPS];
	emit(",\"groups\":[");
	for (int g = 0; g < ngroups; g++) {
		char path[32];
		int n = snprintf(path, sizeof(path), "/dev/vfio/%u", groups[g]);
		if (n < 0 || (size_t)n >= sizeof(path))
			fail(EXIT_USAGE, "group_path", EINVAL, NULL);
		emit("%s{\"group\":%u", g ? "," : "", groups[g]);
		group_fds[g] = open(path, O_RDWR | O_CLOEXEC);
		if (group_fds[g] < 0) {
			int e = errno;
			emit("}]");
			fail(EXIT_GROUP, "open_group", e, path);
		}
		struct vfio_group_status st = { .argsz = sizeof(st) };
		if (ioctl(group_fds[g], VFIO_GROUP_GET_STATUS, &st) < 0) {
			int e = errno;
			emit("}]");
			fail(EXIT_GROUP, "group_status", e, path);
		}
		bool viable = st.flags & VFIO_GROUP_FLAGS_VIABLE;
		emit(",\"viable\":%s}", viable ? "true" : "false");
		if (!viable) {
			emit("]");
			fail(EXIT_GROUP, "group_viable", EPERM, "group is not viable (a member is bound to a host driver)");
		}
		/* Every group joins the same container: one IOMMU context for all of them. */
		if (ioctl(group_fds[g], VFIO_GROUP_SET_CONTAINER, &container) < 0) {
			int e = errno;
			emit("]");
			fail(EXIT_GROUP, "set_container", e, path);
		}
		/* The IOMMU model is set once, after the first group joined. */
		if (g == 0 && ioctl(container, VFIO_SET_IOMMU, VFIO_TYPE1v2_IOMMU) < 0) {
			int e = errno;
			emit("]");
			fail(EXIT_GROUP, "set_iommu", e, "VFIO_TYPE1v2_IOMMU");
		}
	}
	emit("],\"container\":\"one\"");

	if (devices) {
		emit(",\"devices\":[");
		int shown = 0;
		for (int g = 0; g < ngroups; g++) {
			char names[MAX_DEVICES][16];
			int count;
			if (only_device && g == 0) {
				memcpy(names[0], only_device, 13);
				count = 1;
			} else if ((count = group_devices(groups[g], names)) < 0) {
				fail(EXIT_DEVICE, "group_devices", errno, "/sys/kernel/iommu_groups");
			}
			for (int d = 0; d < count; d++) {
				emit("%s", shown++ ? "," : "");
				probe_device(group_fds[g], names[d]);
			}
		}
		emit("]");
	}

	if (map_size > 0) {
		struct vfio_iommu_type1_info ii = { .argsz = sizeof(ii) };
		if (ioctl(container, VFIO_IOMMU_GET_INFO, &ii) < 0)
			fail(EXIT_DMA, "iommu_info", errno, NULL);
		emit(",\"iovaPageSizes\":\"0x%" PRIx64 "\"", (uint64_t)ii.iova_pgsizes);
		void *mem = mmap(NULL, (size_t)map_size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (mem == MAP_FAILED)
			fail(EXIT_DMA, "alloc", errno, NULL);
		struct vfio_iommu_type1_dma_map map = {
			.argsz = sizeof(map),
			.flags = VFIO_DMA_MAP_FLAG_READ | VFIO_DMA_MAP_FLAG_WRITE,
			.vaddr = (uint64_t)(uintptr_t)mem,
			.iova = 0,
			.size = map_size,
		};
		emit(",\"dma\":{\"size\":%" PRIu64 ",\"iova\":0}", map_size);
		if (ioctl(container, VFIO_IOMMU_MAP_DMA, &map) < 0)
			fail(EXIT_DMA, "map_dma", errno, "VFIO_IOMMU_MAP_DMA");
	}

	emit(",\"ok\":true,\"holdSeconds\":%" PRIu64 "}", hold);
	puts(out);
	fflush(stdout);
	/* Everything stays open and pinned while holding; exit releases it all. */
	if (hold)
		sleep((unsigned)hold);
	return 0;
}
