/* verbs.h - the actions. Each writes its result fields into j, or returns -1 with vbh_fail set. */
#ifndef VBH_VERBS_H
#define VBH_VERBS_H

#include "args.h"
#include "json.h"
#include "policy.h"
#include "sysfs.h"

struct ctx {
	const struct request *req;
	struct host *host;
	const struct policy *pol;
	struct jbuf *out;     /* result fields of the top-level object */
	struct jbuf *reasons; /* refusal reasons, strings, for the error object */
};

int run_verb(struct ctx *c);

#endif
