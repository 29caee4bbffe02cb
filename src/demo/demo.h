/*
 * demo.h — `fuwu demo`: the deterministic demo data set (DOMAIN §1 network shape).
 */
#ifndef FUWU_DEMO_H
#define FUWU_DEMO_H
int demo_main(int argc, char **argv);
#endif
