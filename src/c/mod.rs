//! Emulations of the C library functions whose exact behaviour httperf's
//! command line, input files, reply parsing and report depend on: number
//! conversions (`strtoul`, `strtod`), character classes (`isspace`,
//! `strncasecmp`) and `printf` number formatting. Each is checked against
//! glibc in its tests. Nothing here depends on any other module.

pub(crate) mod ctype;
pub(crate) mod printf;
pub(crate) mod strto;
