/* json.c - bounded JSON writer. Strings are escaped; bytes outside printable ASCII become \u00XX. */
#include "json.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void j_init(struct jbuf *j)
{
	memset(j, 0, sizeof *j);
}

void j_free(struct jbuf *j)
{
	free(j->data);
	memset(j, 0, sizeof *j);
}

static void put(struct jbuf *j, const char *s, size_t n)
{
	if (j->overflow)
		return;
	if (n > VBH_JSON_MAX - j->len - 1 || j->len + n + 1 > VBH_JSON_MAX) {
		j->overflow = true;
		return;
	}
	if (j->len + n + 1 > j->cap) {
		size_t cap = j->cap ? j->cap : 1024;
		while (cap < j->len + n + 1)
			cap *= 2;
		if (cap > VBH_JSON_MAX)
			cap = VBH_JSON_MAX;
		char *d = realloc(j->data, cap);
		if (!d) {
			j->overflow = true;
			return;
		}
		j->data = d;
		j->cap = cap;
	}
	memcpy(j->data + j->len, s, n);
	j->len += n;
	j->data[j->len] = '\0';
}

static void sep(struct jbuf *j)
{
	if (j->need_comma)
		put(j, ",", 1);
	j->need_comma = true;
}

void j_obj_begin(struct jbuf *j)
{
	sep(j);
	put(j, "{", 1);
	j->need_comma = false;
}

void j_obj_end(struct jbuf *j)
{
	put(j, "}", 1);
	j->need_comma = true;
}

void j_arr_begin(struct jbuf *j)
{
	sep(j);
	put(j, "[", 1);
	j->need_comma = false;
}

void j_arr_end(struct jbuf *j)
{
	put(j, "]", 1);
	j->need_comma = true;
}

static void put_escaped(struct jbuf *j, const char *s, size_t n)
{
	put(j, "\"", 1);
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		char esc[8];
		if (c == '"' || c == '\\') {
			esc[0] = '\\';
			esc[1] = (char)c;
			put(j, esc, 2);
		} else if (c == '\n') {
			put(j, "\\n", 2);
		} else if (c < 0x20 || c >= 0x7f) {
			static const char hex[] = "0123456789abcdef";
			esc[0] = '\\';
			esc[1] = 'u';
			esc[2] = '0';
			esc[3] = '0';
			esc[4] = hex[c >> 4];
			esc[5] = hex[c & 15];
			put(j, esc, 6);
		} else {
			put(j, (const char *)&s[i], 1);
		}
	}
	put(j, "\"", 1);
}

void j_key(struct jbuf *j, const char *key)
{
	sep(j);
	put_escaped(j, key, strlen(key));
	put(j, ":", 1);
	j->need_comma = false;
}

void j_str(struct jbuf *j, const char *s)
{
	j_strn(j, s, strlen(s));
}

void j_strn(struct jbuf *j, const char *s, size_t n)
{
	sep(j);
	put_escaped(j, s, n);
}

void j_int(struct jbuf *j, long long v)
{
	char b[32];
	int n = snprintf(b, sizeof b, "%lld", v);
	sep(j);
	if (n > 0 && (size_t)n < sizeof b)
		put(j, b, (size_t)n);
	else
		j->overflow = true;
}

void j_uint(struct jbuf *j, unsigned long long v)
{
	char b[32];
	int n = snprintf(b, sizeof b, "%llu", v);
	sep(j);
	if (n > 0 && (size_t)n < sizeof b)
		put(j, b, (size_t)n);
	else
		j->overflow = true;
}

void j_bool(struct jbuf *j, bool v)
{
	sep(j);
	if (v)
		put(j, "true", 4);
	else
		put(j, "false", 5);
}

void j_null(struct jbuf *j)
{
	sep(j);
	put(j, "null", 4);
}

void j_raw(struct jbuf *j, const char *s, size_t n)
{
	sep(j);
	put(j, s, n);
}

void j_kstr(struct jbuf *j, const char *k, const char *v)
{
	j_key(j, k);
	j_str(j, v);
}

void j_kint(struct jbuf *j, const char *k, long long v)
{
	j_key(j, k);
	j_int(j, v);
}

void j_kuint(struct jbuf *j, const char *k, unsigned long long v)
{
	j_key(j, k);
	j_uint(j, v);
}

void j_kbool(struct jbuf *j, const char *k, bool v)
{
	j_key(j, k);
	j_bool(j, v);
}
