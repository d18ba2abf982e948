; faults.asm - exception classes: a #GP whose IDT gate is not present becomes #NP while being
; delivered, and contributory + contributory is a double fault (#DF, error code 0); a benign
; #UD with a not-present gate is just #NP (no #DF); INT beyond the IDT limit; finally, with the
; #DF gate not present too, a triple fault: the CPU shuts down (the guest prints no `done`).
; Expected results from the Intel SDM vol. 3, 6.15 (interrupt 8, tables 6-4 and 6-5).
%include "lib.inc"

    START
    ; INT beyond the IDT limit: #GP(vector * 8 + 2).
    mov word [idtr], 0x40 * 8 - 1
    lidt [idtr]
    EXPECT "int_beyond_idt_limit", 13, 0x40 * 8 + 2, SEL_CODE32, .i1
.i1: int 0x40
    ENDEXPECT
    mov word [idtr], 256 * 8 - 1
    lidt [idtr]

    ; #UD (benign) with a not-present gate: #NP(6 * 8 + 2 + EXT), no double fault.
    and byte [idt + 6 * 8 + 5], 0x7F
    EXPECT "ud_gate_not_present_np", 11, 6 * 8 + 2 + 1, SEL_CODE32, .u1
.u1: ud2
    ENDEXPECT
    or byte [idt + 6 * 8 + 5], 0x80

    ; #GP (contributory) with a not-present gate: #NP (contributory) -> #DF(0).
    and byte [idt + 13 * 8 + 5], 0x7F
    EXPECT "gp_gate_not_present_double_fault", 8, 0, ANY, ANY
    xor eax, eax
    mov ss, ax
    ENDEXPECT
    or byte [idt + 13 * 8 + 5], 0x80

    ; #NP (contributory) whose own gate is not present: #NP -> #NP is a double fault too.
    and byte [idt + 11 * 8 + 5], 0x7F
    EXPECT "np_gate_not_present_double_fault", 8, 0, ANY, ANY
    mov ax, SEL_EXTRA           ; a not-present data segment
    mov ds, ax
    ENDEXPECT
    or byte [idt + 11 * 8 + 5], 0x80

    ; #DE (contributory) whose gate is a trap gate to a not-present code segment:
    ; #NP(selector + EXT) -> #DF.
    mov eax, 0
    mov ebx, exc_stub_0
    mov cx, SEL_EXTRA + 8
    mov dl, ACC_TRAP32
    call set_gate
    EXPECT "de_target_not_present_double_fault", 8, 0, ANY, ANY
    xor edx, edx
    xor ecx, ecx
    div ecx
    ENDEXPECT

    ; Triple fault: #GP -> #NP (gate not present) -> #DF -> #NP (gate not present): shutdown.
    OK "before_triple_fault"
    and byte [idt + 13 * 8 + 5], 0x7F
    and byte [idt + 8 * 8 + 5], 0x7F
    xor eax, eax
    mov ss, ax
    PRINT `FAIL still running after the triple fault\n`
    DONE

%include "lib32.inc"

GDT_BEGIN
    DESC BASE, 0xFFFF, ACC_DATA - NOTPRESENT, FL_16             ; SEL_EXTRA: data, not present
    DESC BASE, 0xFFFFF, ACC_CODE - NOTPRESENT, FL_G32           ; SEL_EXTRA + 8: code, not present
GDT_END
