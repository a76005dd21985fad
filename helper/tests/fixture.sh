# fixture.sh - builds a realistic sysfs/dev/proc/etc tree under a directory (sourced by integration.sh).
# Topology (groups):
#   1  0000:00:1c.0 PCIe root port (pcieport)                      bridge, left alone
#   2  0000:01:00.0 8086:10d3 NIC (e1000e), eth1 down, cdev vfio0   free
#   3  0000:02:00.0 GPU (nouveau) + 0000:02:00.1 audio (snd_hda_intel)  free, two members
#   4  0000:03:00.0 NIC (igb), eth0 up with routes                  in use
#   5  0000:04:00.0 NVMe (nvme), nvme0n1p1 mounted on /             root device
#   6  0000:05:00.0 NVMe (nvme), nvme1n1p1 -> dm-0 mounted on /srv  in use through a holder
#   7  0000:06:00.0 SR-IOV PF (igb), 7 VFs possible                 free
#   8  0000:07:00.0 noiommu group (vfio-pci)                        never granted
#   9  0000:08:00.0 USB controller (xhci_hcd)                       denied by class
#  10  0000:09:00.0 whose bus/pci/devices link escapes sysfs         path escape
#  11  0000:0a:00.0 boot VGA (i915)                                 in use

fx_dev() { # root parentpath bdf vendor device class driver group
	local root=$1 parent=$2 bdf=$3 ven=$4 dev=$5 cls=$6 drv=$7 grp=$8
	local d="$root/sys/devices/$parent/$bdf"
	mkdir -p "$d"
	printf '0x%s\n' "$ven" >"$d/vendor"
	printf '0x%s\n' "$dev" >"$d/device"
	printf '0x%s\n' "$cls" >"$d/class"
	: >"$d/driver_override"
	: >"$d/reset"
	head -c 256 /dev/zero | tr '\0' '\252' >"$d/config"
	local rel; rel=$(realpath --relative-to="$root/sys/bus/pci/devices" "$d")
	ln -s "$rel" "$root/sys/bus/pci/devices/$bdf"
	if [ -n "$drv" ]; then
		mkdir -p "$root/sys/bus/pci/drivers/$drv"
		: >"$root/sys/bus/pci/drivers/$drv/bind"; : >"$root/sys/bus/pci/drivers/$drv/unbind"
		ln -s "$(realpath --relative-to="$d" "$root/sys/bus/pci/drivers/$drv")" "$d/driver"
	fi
	mkdir -p "$root/sys/kernel/iommu_groups/$grp/devices"
	ln -s "$(realpath --relative-to="$d" "$root/sys/kernel/iommu_groups/$grp")" "$d/iommu_group"
	ln -s "$(realpath --relative-to="$root/sys/kernel/iommu_groups/$grp/devices" "$d")" \
		"$root/sys/kernel/iommu_groups/$grp/devices/$bdf"
	echo DMA >"$root/sys/kernel/iommu_groups/$grp/type"
}

fx_net() { # root devdir ifname operstate
	local n="$1/$2/net/$3"
	mkdir -p "$n"
	echo "$4" >"$n/operstate"
	if [ "$4" = up ]; then echo 0x1003 >"$n/flags"; else echo 0x1002 >"$n/flags"; fi
	ln -s "$(realpath --relative-to="$n" "$1/sys/class/net")" "$n/subsystem"
	# As the kernel does: /sys/class/net/<if> links to the interface under its device.
	ln -s "$(realpath --relative-to="$1/sys/class/net" "$n")" "$1/sys/class/net/$3"
}

fx_block() { # root dir majmin
	mkdir -p "$2/holders"
	echo "$3" >"$2/dev"
	ln -s "$(realpath --relative-to="$2" "$1/sys/class/block")" "$2/subsystem"
	ln -s "$(realpath --relative-to="$1/sys/class/block" "$2")" "$1/sys/class/block/$(basename "$2")"
}

mkfixture() {
	local r=$1 P=pci0000:00
	mkdir -p "$r"/sys/bus/pci/devices "$r"/sys/bus/pci/drivers "$r"/sys/class/net "$r"/sys/class/block \
		"$r"/sys/kernel/iommu_groups "$r"/dev/vfio/devices "$r"/proc/self "$r"/proc/net \
		"$r"/etc/vfio-broker "$r"/etc/security/limits.d
	: >"$r/sys/bus/pci/drivers_probe"
	mkdir -p "$r/sys/bus/pci/drivers/vfio-pci"
	: >"$r/sys/bus/pci/drivers/vfio-pci/bind"; : >"$r/sys/bus/pci/drivers/vfio-pci/unbind"
	fx_dev "$r" "$P" 0000:00:1c.0 8086 a33c 060400 pcieport 1
	fx_dev "$r" "$P/0000:00:1c.0" 0000:01:00.0 8086 10d3 020000 e1000e 2
	fx_net "$r" "sys/devices/$P/0000:00:1c.0/0000:01:00.0" eth1 down
	mkdir -p "$r/sys/devices/$P/0000:00:1c.0/0000:01:00.0/vfio-dev/vfio0"
	echo 511:0 >"$r/sys/devices/$P/0000:00:1c.0/0000:01:00.0/vfio-dev/vfio0/dev"   # a vfio cdev kernel
	fx_dev "$r" "$P/0000:00:01.0" 0000:02:00.0 10de 1eb8 030000 nouveau 3
	fx_dev "$r" "$P/0000:00:01.0" 0000:02:00.1 10de 10f8 040300 snd_hda_intel 3
	fx_dev "$r" "$P/0000:00:1c.2" 0000:03:00.0 8086 1533 020000 igb 4
	fx_net "$r" "sys/devices/$P/0000:00:1c.2/0000:03:00.0" eth0 up
	local nv="$r/sys/devices/$P/0000:00:1d.0/0000:04:00.0"
	fx_dev "$r" "$P/0000:00:1d.0" 0000:04:00.0 144d a808 010802 nvme 5
	mkdir -p "$nv/nvme/nvme0"
	fx_block "$r" "$nv/nvme/nvme0/nvme0n1" 259:0
	fx_block "$r" "$nv/nvme/nvme0/nvme0n1/nvme0n1p1" 259:1
	local nv2="$r/sys/devices/$P/0000:00:1d.1/0000:05:00.0"
	fx_dev "$r" "$P/0000:00:1d.1" 0000:05:00.0 144d a808 010802 nvme 6
	mkdir -p "$nv2/nvme/nvme1" "$r/sys/devices/virtual/block"
	fx_block "$r" "$nv2/nvme/nvme1/nvme1n1" 259:2
	fx_block "$r" "$nv2/nvme/nvme1/nvme1n1/nvme1n1p1" 259:3
	fx_block "$r" "$r/sys/devices/virtual/block/dm-0" 254:0
	ln -s ../../../../../../../../../virtual/block/dm-0 "$nv2/nvme/nvme1/nvme1n1/nvme1n1p1/holders/dm-0"
	fx_dev "$r" "$P/0000:00:1c.3" 0000:06:00.0 8086 1521 020000 igb 7
	echo 7 >"$r/sys/devices/$P/0000:00:1c.3/0000:06:00.0/sriov_totalvfs"
	echo 0 >"$r/sys/devices/$P/0000:00:1c.3/0000:06:00.0/sriov_numvfs"
	fx_net "$r" "sys/devices/$P/0000:00:1c.3/0000:06:00.0" eth2 down
	fx_dev "$r" "$P/0000:00:1c.4" 0000:07:00.0 8086 10d3 020000 vfio-pci 8
	echo vfio-noiommu >"$r/sys/kernel/iommu_groups/8/name"
	: >"$r/dev/vfio/noiommu-8"; chmod 0600 "$r/dev/vfio/noiommu-8"
	fx_dev "$r" "$P/0000:00:14.0" 0000:08:00.0 1b21 1242 0c0330 xhci_hcd 9
	# group 10: a device whose canonical link leaves sysfs
	mkdir -p "$r/sys/kernel/iommu_groups/10/devices" "$r/outside"
	ln -s ../../../../../outside "$r/sys/bus/pci/devices/0000:09:00.0"
	ln -s ../../../../../outside "$r/sys/kernel/iommu_groups/10/devices/0000:09:00.0"
	fx_dev "$r" "$P" 0000:00:02.0 8086 3e92 030000 i915 11
	echo 1 >"$r/sys/devices/$P/0000:00:02.0/boot_vga"
	# nodes: the container is 0666; group nodes appear root 0600 when bound
	: >"$r/dev/vfio/vfio"; chmod 0666 "$r/dev/vfio/vfio"
	# host state
	cat >"$r/proc/self/mountinfo" <<'M'
22 1 259:1 / / rw,relatime shared:1 - ext4 /dev/nvme0n1p1 rw
23 22 0:21 / /proc rw,nosuid,nodev,noexec,relatime shared:12 - proc proc rw
24 22 254:0 / /srv rw,relatime shared:2 - xfs /dev/mapper/vg-srv rw
M
	printf 'Filename\t\t\t\tType\t\tSize\t\tUsed\t\tPriority\n' >"$r/proc/swaps"
	printf 'Iface\tDestination\tGateway \tFlags\tRefCnt\tUse\tMetric\tMask\t\tMTU\tWindow\tIRTT\neth0\t00000000\t0102A8C0\t0003\t0\t0\t100\t00000000\t0\t0\t0\n' >"$r/proc/net/route"
	: >"$r/proc/net/ipv6_route"
	cat >"$r/etc/vfio-broker/helper.conf" <<'C'
# fixture policy
caller = root
min-uid = 1000
allow class 0x02        # network controllers
allow class 0x03
allow class 0x0403
allow class 0x0108
deny class 0x0c         # never USB controllers
C
	chmod 0644 "$r/etc/vfio-broker/helper.conf"
	chmod 0755 "$r/etc/vfio-broker"
}

# Simulates what the kernel does after a bind: driver link to vfio-pci, group node root 0600.
fx_bound() { # root bdf group
	local d; d=$(readlink -f "$1/sys/bus/pci/devices/$2")
	ln -sfn "$(realpath --relative-to="$d" "$1/sys/bus/pci/drivers/vfio-pci")" "$d/driver"
	[ -e "$1/dev/vfio/$3" ] || { : >"$1/dev/vfio/$3"; chmod 0600 "$1/dev/vfio/$3"; }
	if [ -d "$d/vfio-dev" ]; then
		for c in "$d"/vfio-dev/*; do
			[ -e "$1/dev/vfio/devices/$(basename "$c")" ] || { : >"$1/dev/vfio/devices/$(basename "$c")"; chmod 0600 "$1/dev/vfio/devices/$(basename "$c")"; }
		done
	fi
}
