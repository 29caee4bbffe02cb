/*
 * solomon.c — reader of the Solomon text format and the benchmark's feasibility checker.
 * The checker shares no code with the solver: it recomputes distances from the coordinates
 * and walks each route in time on its own.
 */
#include "solomon.h"

#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int next_number(const char **p, double *out)
{
	const char *s = *p;
	while (*s && !(isdigit((unsigned char)*s) || *s == '-' || *s == '.'))
		s++;
	if (!*s)
		return -1;
	char *end;
	*out = strtod(s, &end);
	if (end == s)
		return -1;
	*p = end;
	return 0;
}

int sol_read(const char *path, sol_inst *in)
{
	memset(in, 0, sizeof(*in));
	FILE *f = fopen(path, "rb");
	if (!f) {
		fprintf(stderr, "%s: cannot open\n", path);
		return -1;
	}
	fseek(f, 0, SEEK_END);
	long size = ftell(f);
	fseek(f, 0, SEEK_SET);
	char *text = malloc((size_t)size + 1);
	if (!text || fread(text, 1, (size_t)size, f) != (size_t)size) {
		fclose(f);
		free(text);
		return -1;
	}
	text[size] = 0;
	fclose(f);
	/* name: first non-blank token */
	const char *s = text;
	while (*s && isspace((unsigned char)*s))
		s++;
	int k = 0;
	while (*s && !isspace((unsigned char)*s) && k < 63)
		in->name[k++] = *s++;
	const char *veh = strstr(s, "CAPACITY");
	const char *cus = strstr(s, "CUSTOMER");
	if (!veh || !cus) {
		fprintf(stderr, "%s: not a Solomon file\n", path);
		free(text);
		return -1;
	}
	veh += 8;
	double a, b;
	if (next_number(&veh, &a) || next_number(&veh, &b)) {
		free(text);
		return -1;
	}
	in->fleet = (int)a;
	in->capacity = (int)b;
	/* skip the header line after CUSTOMER ("CUST NO. XCOORD. ...") */
	const char *row = strchr(cus, '\n');
	row = row ? strchr(row + 1, '\n') : NULL;
	if (!row) {
		free(text);
		return -1;
	}
	int cap = 128;
	in->x = malloc(sizeof(double) * (size_t)cap);
	in->y = malloc(sizeof(double) * (size_t)cap);
	in->ready = malloc(sizeof(double) * (size_t)cap);
	in->due = malloc(sizeof(double) * (size_t)cap);
	in->service = malloc(sizeof(double) * (size_t)cap);
	in->demand = malloc(sizeof(int) * (size_t)cap);
	double v[7];
	for (;;) {
		int got = 0;
		while (got < 7 && next_number(&row, &v[got]) == 0)
			got++;
		if (got < 7)
			break;
		if (in->n == cap) {
			cap *= 2;
			in->x = realloc(in->x, sizeof(double) * (size_t)cap);
			in->y = realloc(in->y, sizeof(double) * (size_t)cap);
			in->ready = realloc(in->ready, sizeof(double) * (size_t)cap);
			in->due = realloc(in->due, sizeof(double) * (size_t)cap);
			in->service = realloc(in->service, sizeof(double) * (size_t)cap);
			in->demand = realloc(in->demand, sizeof(int) * (size_t)cap);
		}
		if ((int)v[0] != in->n) {
			fprintf(stderr, "%s: node %d out of order\n", path, (int)v[0]);
			free(text);
			return -1;
		}
		int i = in->n++;
		in->x[i] = v[1];
		in->y[i] = v[2];
		in->demand[i] = (int)v[3];
		in->ready[i] = v[4];
		in->due[i] = v[5];
		in->service[i] = v[6];
	}
	free(text);
	if (in->n < 2) {
		fprintf(stderr, "%s: no customers\n", path);
		return -1;
	}
	return 0;
}

void sol_free(sol_inst *in)
{
	free(in->x);
	free(in->y);
	free(in->ready);
	free(in->due);
	free(in->service);
	free(in->demand);
	memset(in, 0, sizeof(*in));
}

static double edist(const sol_inst *in, int a, int b)
{
	double dx = in->x[a] - in->x[b], dy = in->y[a] - in->y[b];
	return sqrt(dx * dx + dy * dy);
}

int sol_check(const sol_inst *in, int nroutes, const int *const *routes, const int *len, double *dist, char *msg,
              int msglen)
{
	const double tol = 1e-6;
	int *seen = calloc((size_t)in->n, sizeof(int));
	double total = 0;
	int used = 0, rc = -1;
	for (int r = 0; r < nroutes; r++) {
		if (len[r] == 0)
			continue;
		used++;
		double t = in->ready[0];
		int at = 0, load = 0;
		for (int k = 0; k < len[r]; k++) {
			int c = routes[r][k];
			if (c < 1 || c >= in->n) {
				snprintf(msg, (size_t)msglen, "route %d: customer %d does not exist", r, c);
				goto out;
			}
			if (seen[c]++) {
				snprintf(msg, (size_t)msglen, "customer %d served twice", c);
				goto out;
			}
			load += in->demand[c];
			double d = edist(in, at, c);
			total += d;
			t += d;
			if (t > in->due[c] + tol) {
				snprintf(msg, (size_t)msglen,
				         "route %d: customer %d reached at %.6f after its due time %.6f", r, c, t,
				         in->due[c]);
				goto out;
			}
			if (t < in->ready[c])
				t = in->ready[c];
			t += in->service[c];
			at = c;
		}
		double d = edist(in, at, 0);
		total += d;
		t += d;
		if (t > in->due[0] + tol) {
			snprintf(msg, (size_t)msglen, "route %d: back at the depot at %.6f after %.6f", r, t,
			         in->due[0]);
			goto out;
		}
		if (load > in->capacity) {
			snprintf(msg, (size_t)msglen, "route %d: load %d above capacity %d", r, load, in->capacity);
			goto out;
		}
	}
	if (used > in->fleet) {
		snprintf(msg, (size_t)msglen, "%d routes for a fleet of %d", used, in->fleet);
		goto out;
	}
	for (int c = 1; c < in->n; c++)
		if (!seen[c]) {
			snprintf(msg, (size_t)msglen, "customer %d not served", c);
			goto out;
		}
	*dist = total;
	rc = 0;
out:
	free(seen);
	return rc;
}
