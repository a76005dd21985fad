/* unit.c - unit tests of the parsers, the policy evaluator and vbh_fmt. Prints "N passed, M failed". */
#include "args.h"
#include "fail.h"
#include "limits.h"
#include "policy.h"
#include "proc.h"
#include "sysfs.h"

#include <stdio.h>
#include <string.h>
#include <wchar.h>

static int passed, failed;

#define CHECK(name, cond)                                                                  \
	do {                                                                               \
		if (cond) {                                                                \
			passed++;                                                          \
		} else {                                                                   \
			failed++;                                                          \
			printf("FAIL - %s (%s:%d) [%s]\n", name, __FILE__, __LINE__,        \
			       vbh_fail_state.message);                                    \
		}                                                                          \
		vbh_fail_reset();                                                          \
	} while (0)

static int addr_ok(const char *s)
{
	struct pci_addr a;
	return parse_pci_addr(s, &a) == 0;
}

static void test_address(void)
{
	struct pci_addr a;
	char out[13];
	CHECK("address parses canonical form", parse_pci_addr("0000:03:00.1", &a) == 0 && a.bus == 3 && a.fn == 1);
	CHECK("address accepts upper case and formats lower case",
	      parse_pci_addr("ABCD:EF:1F.7", &a) == 0 && (format_pci_addr(&a, out), strcmp(out, "abcd:ef:1f.7") == 0));
	CHECK("address rejects short", !addr_ok("0000:03:00"));
	CHECK("address rejects trailing junk", !addr_ok("0000:03:00.1x"));
	CHECK("address rejects leading space", !addr_ok(" 000:03:00.1"));
	CHECK("address rejects device above 1f", !addr_ok("0000:03:20.0"));
	CHECK("address rejects function above 7", !addr_ok("0000:03:00.8"));
	CHECK("address rejects wrong separators", !addr_ok("0000.03:00:1"));
	CHECK("address rejects dotdot", !addr_ok("../../../..."));
	CHECK("address rejects sign", !addr_ok("+000:03:00.1"));
	CHECK("address failure is a usage error",
	      parse_pci_addr("x", &a) < 0 && vbh_fail_state.exit_code == EX_HELPER_USAGE);
}

static void test_numbers(void)
{
	unsigned long long v;
	CHECK("uint parses", parse_uint("4096", 100000, "n", &v) == 0 && v == 4096);
	CHECK("uint zero", parse_uint("0", 10, "n", &v) == 0 && v == 0);
	CHECK("uint rejects empty", parse_uint("", 10, "n", &v) < 0);
	CHECK("uint rejects sign", parse_uint("-1", 10, "n", &v) < 0);
	CHECK("uint rejects plus", parse_uint("+1", 10, "n", &v) < 0);
	CHECK("uint rejects leading zero", parse_uint("01", 10, "n", &v) < 0);
	CHECK("uint rejects space", parse_uint("1 ", 10, "n", &v) < 0);
	CHECK("uint rejects hex", parse_uint("0x10", 100, "n", &v) < 0);
	CHECK("uint rejects above max", parse_uint("11", 10, "n", &v) < 0);
	CHECK("uint accepts max", parse_uint("18446744073709551615", ~0ull, "n", &v) == 0 && v == ~0ull);
	CHECK("uint rejects overflow", parse_uint("18446744073709551616", ~0ull, "n", &v) < 0);
	CHECK("uint rejects 21 digits", parse_uint("100000000000000000000", ~0ull, "n", &v) < 0);
	uint32_t u;
	CHECK("uid parses", parse_uid("1000", "uid", &u) == 0 && u == 1000);
	CHECK("uid rejects -1 as 4294967295", parse_uid("4294967295", "uid", &u) < 0);
	unsigned m;
	CHECK("mode 0600", parse_mode("0600", &m) == 0 && m == 0600);
	CHECK("mode 0660", parse_mode("0660", &m) == 0 && m == 0660);
	CHECK("mode rejects 0666", parse_mode("0666", &m) < 0);
	CHECK("mode rejects 600", parse_mode("600", &m) < 0);
	unsigned long long kib;
	CHECK("bytes whole KiB", bytes_to_kib(1073741824ull, &kib) == 0 && kib == 1048576);
	CHECK("bytes not whole KiB refused", bytes_to_kib(1000, &kib) < 0);
}

static void test_names(void)
{
	char u[VBH_USER_MAX + 1], d[VBH_DRIVER_MAX + 1];
	CHECK("user name ok", parse_user_name("alice_01-x", u) == 0);
	CHECK("user rejects dotdot", parse_user_name("..", u) < 0);
	CHECK("user rejects slash", parse_user_name("a/b", u) < 0);
	CHECK("user rejects leading digit", parse_user_name("1abc", u) < 0);
	CHECK("user rejects 33 characters", parse_user_name("abcdefghijabcdefghijabcdefghijabc", u) < 0);
	CHECK("driver ok", parse_driver_name("snd_hda_intel", d) == 0);
	CHECK("driver rejects slash", parse_driver_name("../x", d) < 0);
	CHECK("dma rule vfio-pci", dma_ownership_ok("vfio-pci"));
	CHECK("dma rule variant", dma_ownership_ok("mlx5_vfio_pci"));
	CHECK("dma rule bare suffix is not a variant", !dma_ownership_ok("_vfio_pci"));
	CHECK("dma rule pci-stub", dma_ownership_ok("pci-stub"));
	CHECK("dma rule pcieport", dma_ownership_ok("pcieport"));
	CHECK("dma rule no driver", dma_ownership_ok(""));
	CHECK("dma rule host driver", !dma_ownership_ok("e1000e"));
}

static void test_args(void)
{
	struct request r;
	char *ok1[] = { "h", "--root", "/tmp/x", "grant-nodes", "3", "1000", "1000", "0660", NULL };
	CHECK("argv grant-nodes", args_parse(8, ok1, &r) == 0 && r.verb == V_GRANT_NODES && r.group == 3 &&
					   r.uid == 1000 && r.mode == 0660);
	char *noroot[] = { "h", "version", NULL };
	CHECK("test build needs --root", args_parse(2, noroot, &r) < 0);
	char *rel[] = { "h", "--root", "tmp", "version", NULL };
	CHECK("root must be absolute", args_parse(4, rel, &r) < 0);
	char *unk[] = { "h", "--root", "/r", "frobnicate", NULL };
	CHECK("unknown verb", args_parse(4, unk, &r) < 0 && strcmp(vbh_fail_state.code, "unknown-verb") == 0);
	char *few[] = { "h", "--root", "/r", "memlock-pid", "12", "1000", NULL };
	CHECK("too few operands", args_parse(6, few, &r) < 0);
	char *pid1[] = { "h", "--root", "/r", "memlock-pid", "1", "1000", "4096", NULL };
	CHECK("pid 1 refused", args_parse(7, pid1, &r) < 0);
	char *rm[] = { "h", "--root", "/r", "memlock-user", "bob", "remove", NULL };
	CHECK("memlock-user remove", args_parse(6, rm, &r) == 0 && r.remove);
	char *grace[] = { "h", "--root", "/r", "terminate-holders", "3", "600001", NULL };
	CHECK("grace above 10 minutes refused", args_parse(6, grace, &r) < 0);
	char *nv[] = { "h", "--root", "/r", "set-numvfs", "0000:06:00.0", "65536", NULL };
	CHECK("numvfs above 65535 refused", args_parse(6, nv, &r) < 0);
}

static int parse_text(const char *t, struct policy *p)
{
	return policy_parse(t, strlen(t), p);
}

static void test_policy(void)
{
	static struct policy p;
	CHECK("policy minimal", parse_text("caller = vfio-broker\n", &p) == 0 && p.min_uid == 1000 &&
					strcmp(p.caller, "vfio-broker") == 0);
	CHECK("policy needs caller", parse_text("min-uid = 2000\n", &p) < 0 &&
					     vbh_fail_state.exit_code == EX_HELPER_CONFIG);
	CHECK("policy rejects min-uid 0", parse_text("caller = a\nmin-uid = 0\n", &p) < 0);
	CHECK("policy rejects unknown key", parse_text("caller = a\nfoo = 1\n", &p) < 0);
	CHECK("policy rejects duplicate caller", parse_text("caller = a\ncaller = b\n", &p) < 0);
	CHECK("policy rejects bad id", parse_text("caller = a\nallow id 8086:10d\n", &p) < 0);
	CHECK("policy rejects bad class", parse_text("caller = a\nallow class 0x020\n", &p) < 0);
	CHECK("policy rejects bad address", parse_text("caller = a\nallow address 0000:01:00\n", &p) < 0);
	CHECK("policy rejects extra word", parse_text("caller = a\nallow id 8086:10d3 x\n", &p) < 0);
	CHECK("policy rejects control character", parse_text("caller = a\nallow\x01 id 8086:10d3\n", &p) < 0);
	CHECK("policy rejects long line", parse_text("caller = a\n# "
						     "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx\n",
						     &p) < 0);
	CHECK("policy message names the line",
	      parse_text("caller = a\n\n# c\nbogus\n", &p) < 0 && strstr(vbh_fail_state.message, "line 4") != NULL);

	const char *text = "caller = svc # the service\n"
			   "min-uid = 2000\n"
			   "allow class 0x02\n"
			   "allow id 10de:1eb8\n"
			   "allow address 0000:05:00.0\n"
			   "deny id 8086:1521\n"
			   "allow class 0x0403\n"
			   "deny address 0000:02:00.1\n";
	CHECK("policy full parses", parse_text(text, &p) == 0 && p.nrules == 6 && p.min_uid == 2000);
	struct dev_identity nic = { { 0, 1, 0, 0 }, 0x8086, 0x10d3, 0x020000, false };
	struct dev_identity pf = { { 0, 6, 0, 0 }, 0x8086, 0x1521, 0x020000, false };
	struct dev_identity gpu = { { 0, 2, 0, 0 }, 0x10de, 0x1eb8, 0x030000, false };
	struct dev_identity audio = { { 0, 2, 0, 1 }, 0x10de, 0x10f8, 0x040300, false };
	struct dev_identity usb = { { 0, 8, 0, 0 }, 0x1b21, 0x1242, 0x0c0330, false };
	struct dev_identity byaddr = { { 0, 5, 0, 0 }, 0x144d, 0xa808, 0x010802, false };
	struct dev_identity rootdev = { { 0, 1, 0, 0 }, 0x8086, 0x10d3, 0x020000, true };
	struct decision d = policy_evaluate(&p, &nic);
	CHECK("class prefix allows", d.allowed && d.line == 3);
	d = policy_evaluate(&p, &pf);
	CHECK("deny wins over earlier allow", !d.allowed && strcmp(d.why, "deny-rule") == 0 && d.line == 6);
	CHECK("id allows", policy_evaluate(&p, &gpu).allowed);
	d = policy_evaluate(&p, &audio);
	CHECK("deny address wins over class allow", !d.allowed && d.line == 8);
	d = policy_evaluate(&p, &usb);
	CHECK("default deny", !d.allowed && strcmp(d.why, "default-deny") == 0);
	CHECK("address allows", policy_evaluate(&p, &byaddr).allowed);
	d = policy_evaluate(&p, &rootdev);
	CHECK("root device always denied", !d.allowed && strcmp(d.why, "root-device") == 0);
	CHECK("six-digit class matches exactly",
	      parse_text("caller = a\nallow class 0x040300\n", &p) == 0 && policy_evaluate(&p, &audio).allowed &&
		      !policy_evaluate(&p, &gpu).allowed);
}

static void test_status_and_dropin(void)
{
	struct proc_status st;
	const char *s = "Name:\tqemu-system-x86\nUmask:\t0022\nState:\tS (sleeping)\nUid:\t1001\t1001\t1001\t1001\n"
			"VmLck:\t    2048 kB\nVmPin:\t  524288 kB\n";
	CHECK("status parses", parse_status(s, &st) == 0 && st.ruid == 1001 && st.vmlck_bytes == 2048u * 1024u &&
				       st.vmpin_bytes == 524288ull * 1024u && strcmp(st.comm, "qemu-system-x86") == 0);
	CHECK("status real uid is the first field",
	      parse_status("Name:\tx\nUid:\t1001\t0\t0\t0\n", &st) == 0 && st.ruid == 1001);
	CHECK("status without Uid refused", parse_status("Name:\tx\n", &st) < 0);
	CHECK("status bad VmPin refused", parse_status("Name:\tx\nUid:\t1\t1\t1\t1\nVmPin:\tlots\n", &st) < 0);
	char t[512];
	int n = memlock_dropin_text("alice", 1048576, t, sizeof t);
	CHECK("drop-in text", n > 0 && strstr(t, "\nalice soft memlock 1048576\nalice hard memlock 1048576\n") != NULL);
	CHECK("drop-in text refuses tiny buffer", memlock_dropin_text("alice", 1, t, 10) < 0);
}

static void test_fmt(void)
{
	char b[8];
	CHECK("fmt fills the buffer exactly", vbh_fmt(b, sizeof b, "%s", "1234567") && strcmp(b, "1234567") == 0);
	CHECK("fmt formats", vbh_fmt(b, sizeof b, "vfio%u", 12u) && strcmp(b, "vfio12") == 0);
	CHECK("fmt refuses one character too many, leaving no cut string",
	      !vbh_fmt(b, sizeof b, "%s", "12345678") && b[0] == '\0');
	CHECK("fmt refuses a number that does not fit",
	      !vbh_fmt(b, sizeof b, "%llu", 18446744073709551615ull) && b[0] == '\0');
	char deep[4200];
	memset(deep, 'a', sizeof deep - 1);
	deep[sizeof deep - 1] = '\0';
	char path[320];
	CHECK("fmt refuses a name longer than a path buffer",
	      !vbh_fmt(path, sizeof path, "/dev/vfio/devices/%s", deep) && path[0] == '\0');
	CHECK("fmt refuses a zero-size buffer", !vbh_fmt(b, 0, "%s", ""));
	/* An unpaired surrogate cannot be encoded in any locale: snprintf returns -1 (EILSEQ). */
	CHECK("fmt refuses an output error", !vbh_fmt(b, sizeof b, "%lc", (wint_t)0xD800) && b[0] == '\0');
	CHECK("fmt records no failure", !vbh_fmt(b, sizeof b, "%s", "12345678") && vbh_fail_state.exit_code == 0);
	/* vbh_fail's own code copy: a code that does not fit is a bug, reported as one, never cut. */
	CHECK("fail keeps a code that fits",
	      vbh_fail(EX_HELPER_UNSAFE, "in-use", 0, "x") < 0 && vbh_fail_state.exit_code == EX_HELPER_UNSAFE &&
		      strcmp(vbh_fail_state.code, "in-use") == 0);
	CHECK("fail reports a code too long as internal",
	      vbh_fail(EX_HELPER_UNSAFE, "a-code-far-longer-than-the-forty-byte-code-buffer", 0, "x") < 0 &&
		      vbh_fail_state.exit_code == EX_HELPER_INTERNAL && strcmp(vbh_fail_state.code, "internal") == 0 &&
		      strcmp(vbh_fail_state.message, "x") == 0);
}

int main(void)
{
	test_address();
	test_numbers();
	test_names();
	test_args();
	test_policy();
	test_status_and_dropin();
	test_fmt();
	printf("unit: %d passed, %d failed\n", passed, failed);
	return failed == 0 ? 0 : 1;
}
