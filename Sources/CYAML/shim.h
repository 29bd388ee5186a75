#ifndef CYAML_SHIM_H
#define CYAML_SHIM_H
/* Debian's libyaml (libyaml-dev): the YAML 1.1 parser, read through MLCIYAML only. */
#include <yaml.h>
#endif
