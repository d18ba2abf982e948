//! Intel-syntax disassembler derived from the instruction table.
