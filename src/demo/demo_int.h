/*
 * demo_int.h — what the demo generator's files share: a seeded PRNG of our own (splitmix64,
 * so the same seed gives the same data on every machine and libc), and the static tables
 * the data is drawn from (places, people's names, product models, fault descriptions).
 */
#ifndef FUWU_DEMO_INT_H
#define FUWU_DEMO_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* --- PRNG --------------------------------------------------------------------------- */

typedef struct rng {
	uint64_t s;
} rng;

static inline void rng_seed(rng *r, uint64_t seed, uint64_t stream)
{
	r->s = seed * 0x9E3779B97F4A7C15ull ^ (stream + 0xD1B54A32D192ED03ull);
}

static inline uint64_t rng_next(rng *r)
{
	uint64_t z = (r->s += 0x9E3779B97F4A7C15ull);
	z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
	z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
	return z ^ (z >> 31);
}

/* Uniform in [0, n) (n > 0); multiply-shift, no modulo bias worth the name at these sizes. */
static inline uint32_t rng_below(rng *r, uint32_t n)
{
	return (uint32_t)(((rng_next(r) >> 32) * (uint64_t)n) >> 32);
}

/* Uniform in [lo, hi], inclusive. */
static inline int rng_range(rng *r, int lo, int hi)
{
	return lo + (int)rng_below(r, (uint32_t)(hi - lo + 1));
}

/* Uniform in [0, 1). */
static inline double rng_unit(rng *r)
{
	return (double)(rng_next(r) >> 11) * (1.0 / 9007199254740992.0);
}

/* true with probability pct/100. */
static inline bool rng_pct(rng *r, int pct)
{
	return (int)rng_below(r, 100) < pct;
}

/* An index into weights[0..n-1] drawn in proportion to the weights. */
int demo_rng_weighted(rng *r, const int *weights, int n);

#define RNG_PICK(r, arr) ((arr)[rng_below((r), (uint32_t)(sizeof(arr) / sizeof((arr)[0])))])

/* --- the network (DOMAIN §1: manufacturers, stations per city, outlets) ------------- */

enum { DEMO_CITIES = 3, DEMO_OUTLETS_PER_CITY = 2, DEMO_DISTRICTS = 5 };

struct demo_place {
	const char *name;     /* 广州天河网点 */
	const char *code;     /* DEMO-GZ-1 */
	const char *district; /* 天河区 */
	const char *address;  /* full street address */
	double lat, lon;
};

struct demo_district {
	const char *name;
	double lat, lon;    /* centre */
	const char *roads[5];
};

struct demo_city {
	const char *province, *city;           /* 广东省, 广州市 */
	int weight;                            /* share of the customers */
	struct demo_place station;
	struct demo_place outlets[DEMO_OUTLETS_PER_CITY]; /* [1] also services cars */
	struct demo_district districts[DEMO_DISTRICTS];
};

struct demo_maker {
	struct demo_place org;
	const char *province, *city;
	const char *brand;    /* 美森 */
	bool cars;
};

extern const struct demo_city demo_cities[DEMO_CITIES];
extern const struct demo_maker demo_makers[2];

/* --- products (DOMAIN §2 product model: warranty months, complexity coefficient) ----- */

enum demo_cat { CAT_AC, CAT_FRIDGE, CAT_WASHER, CAT_HEATER, CAT_CAR, CAT_EV, CAT_COUNT };

struct demo_model {
	int maker;            /* index into demo_makers */
	enum demo_cat cat;
	const char *model;
	const char *serial_prefix;
	int warranty_months;
	int complexity_milli; /* 技术复杂系数 × 1000 */
};

extern const char *const demo_cat_names[CAT_COUNT]; /* 空调 … 新能源汽车 */
extern const struct demo_model demo_models[];
extern const int demo_model_count;

static inline bool demo_cat_is_car(int cat) { return cat == CAT_CAR || cat == CAT_EV; }

/* --- work orders (DOMAIN §3) -------------------------------------------------------- */

enum demo_type { T_REPAIR, T_INSTALL, T_MAINTENANCE, T_INSPECTION, T_RETURN, T_CONSULTATION, T_COUNT };
extern const char *const demo_type_names[T_COUNT];

enum { DEMO_STATUSES = 14 };
extern const char *const demo_status_names[DEMO_STATUSES];

/* Fault or request text for a category and type: NULL-terminated lists. */
const char *const *demo_faults(int cat, int type);
extern const char *const demo_fault_notes[];
extern const int demo_fault_note_count;

/* --- people -------------------------------------------------------------------------- */

extern const char *const demo_surnames[];
extern const int demo_surname_count;
extern const char *const demo_given[];
extern const int demo_given_count;
extern const char *const demo_compounds[];
extern const int demo_compound_count;
extern const char *const demo_company_words[];
extern const int demo_company_word_count;
extern const char *const demo_company_trades[];
extern const int demo_company_trade_count;

struct demo_staff {
	const char *login, *name, *role;
};
extern const struct demo_staff demo_staff[];
extern const int demo_staff_count;

/* A Chinese personal name into out (surname + one or two characters). */
void demo_person_name(rng *r, char *out, size_t len);

/* --- the lifecycle on the base orders (demo_flow.c) ---------------------------------- */

struct db_tx;
/* SLA deadlines, the times met, actual lines, bills with payments and ratings of the
 * tenant's orders; runs once, in the base transaction, after the orders are written. */
int demo_lifecycle_fill(struct db_tx *tx, int64_t tenant_id, int tz_min, uint64_t seed, char *err, size_t errlen);

#endif
