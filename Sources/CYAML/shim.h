// libyaml (Debian's libyaml-dev, pkg-config yaml-0.1): the parser and emitter under the YAML module.
#ifndef APIMTOKEN_CYAML_SHIM_H
#define APIMTOKEN_CYAML_SHIM_H

#include <yaml.h>

#endif
