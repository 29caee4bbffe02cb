/*
 * checklist.h — the built-in checklists of execution and QC (DOMAIN §3, issue 4 items 7 and
 * 8), as data: one template per order type for the technician's work (maintenance takes its
 * items from the model's schedule, with a generic list when there is none), and the safety
 * items of the final QC (完工总检) for vehicles and for appliances. Each item has a stable key
 * and its label in Chinese and English. Pure: no SQL, no JSON.
 */
#ifndef FUWU_CHECKLIST_H
#define FUWU_CHECKLIST_H

#include <stdbool.h>
#include <stddef.h>

typedef struct ck_item {
	const char *key;
	const char *zh;
	const char *en;
} ck_item;

/* The execution template of an order type (repair, install, inspection, consultation,
 * return, maintenance — the latter the generic list used when the asset's model has no
 * schedule). NULL and *n = 0 for an unknown type. */
const ck_item *ck_template(const char *type, bool vehicle, int *n);

/* Items added after a maintenance schedule's own operations. */
const ck_item *ck_maint_tail(bool vehicle, int *n);

/* Safety items of the QC checklist. */
const ck_item *ck_qc_safety(bool vehicle, int *n);

/* The QC item "no new damage": compared with the reception sheet, or (no sheet) with the
 * state before the work. */
const ck_item *ck_qc_no_new_damage(bool has_reception);

/* Is the asset a vehicle? Its product category (汽车, 新能源汽车, 货车, 摩托车 …, "car",
 * "vehicle"), a plate, or a reading of the odometer on the order say so. */
bool ck_is_vehicle(const char *category, bool has_plate, bool has_mileage);

/* A checklist item key as clients may send it: 1 to 64 of [a-z0-9_.-]. */
bool ck_key_valid(const char *key);

#endif
