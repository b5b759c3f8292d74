# Turns a file into a C array: INPUT, OUTPUT, SYMBOL.
file(READ ${INPUT} content HEX)
string(LENGTH "${content}" hex_length)
math(EXPR byte_count "${hex_length} / 2")
string(REGEX REPLACE "([0-9a-f][0-9a-f])" "0x\\1," bytes "${content}")
file(WRITE ${OUTPUT}
  "/* Generated from ${INPUT}; do not edit. */\n#include <stddef.h>\n"
  "extern const char ${SYMBOL}[];\nextern const size_t ${SYMBOL}_size;\n"
  "const char ${SYMBOL}[] = {${bytes}0x00};\nconst size_t ${SYMBOL}_size = ${byte_count};\n")
