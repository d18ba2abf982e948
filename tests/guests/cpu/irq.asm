; irq.asm - external (hardware) interrupts in protected mode. Needs the test bus's port 0xE0,
; which raises the INTR line with the vector written there (aula86's tests only; QEMU has no
; such device). Checked: IF masks the line; the STI shadow; STI; HLT wakes on the interrupt with
; the return address after HLT; from ring 3 through a DPL 0 gate (no gate privilege check for
; external interrupts) onto the TSS ring-0 stack; a not-present gate raising #NP with EXT set;
; from virtual-8086 mode with the v86 frame.
; Expected results from the Intel SDM vol. 3, 6.6, 6.8.3, 6.12.1, 6.13 and STI in vol. 2.
%include "lib.inc"

SEL_GATER0 equ SEL_EXTRA + 0x00 | 3 ; call gate DPL 3 -> to_ring0_target

%macro RAISE 1
    mov al, %1
    out 0xE0, al
%endmacro

    START
    mov eax, 0x40
    mov ebx, irq_handler
    mov cx, SEL_CODE32
    mov dl, ACC_INT32           ; DPL 0
    call set_gate
    mov eax, 0x41
    mov dl, ACC_INT32 - NOTPRESENT
    call set_gate
    and byte [tss_io + 0xE0 / 8], ~(1 << (0xE0 & 7))    ; ring 3 / v86 may use port 0xE0

    ; ---- IF=0 masks INTR ----
    cli
    RAISE 0x40
    nop
    nop
    CHECK "irq_masked_while_if_clear", dword [irq_count], dword 0
    ; ---- STI: one more instruction before the interrupt is recognised ----
    sti
    mov ebx, [irq_count]
.after_shadow:
    nop
    cli
    CHECK "irq_sti_shadow", ebx, dword 0
    CHECK "irq_taken_after_shadow", dword [irq_count], dword 1
    CHECK "irq_return_eip", dword [irq_eip], dword .after_shadow
    CHECK "irq_return_cs", dword [irq_cs], dword SEL_CODE32
    mov eax, [irq_fl]
    and eax, 0x200
    CHECK "irq_pushed_if_set", eax, dword 0x200
    mov eax, [irq_inner_fl]
    and eax, 0x200
    CHECK "irq_handler_if_clear", eax, dword 0

    ; ---- STI; HLT waits for the interrupt ----
    RAISE 0x40
    sti
    hlt
.after_hlt:
    cli
    CHECK "irq_wakes_hlt", dword [irq_count], dword 2
    CHECK "irq_hlt_return_eip", dword [irq_eip], dword .after_hlt

    ; ---- from ring 3 through a DPL 0 gate ----
    TO_RING3 0x202
    RAISE 0x40
.r3_after:
    call SEL_GATER0:0
    cli
    CHECK "irq_ring3_dpl0_gate", dword [irq_count], dword 3
    CHECK "irq_ring3_eip", dword [irq_eip], dword .r3_after
    CHECK "irq_ring3_cs", dword [irq_cs], dword SEL_UCODE
    CHECK "irq_ring3_esp0", dword [irq_esp], dword KSTACK0 - 20

    ; ---- a not-present gate: #NP(vector * 8 + 2 + EXT) ----
    RAISE 0x41
    EXPECT "irq_gate_not_present_np_ext", 11, 0x41 * 8 + 3, SEL_CODE32, .np_at
    sti
    nop
.np_at:
    nop
    ENDEXPECT
    cli

    ; A zero IDT entry is not a gate: #GP(vector * 8 + 2 + EXT).
    RAISE 0x42
    EXPECT "irq_gate_invalid_gp_ext", 13, 0x42 * 8 + 3, SEL_CODE32, .gp_at
    sti
    nop
.gp_at:
    nop
    ENDEXPECT
    cli

    ; ---- from virtual-8086 mode ----
    EXPECT "irq_v86_then_hlt_gp", 13, 0, 0x1000, v86_hlt
    ENTER_V86 0x1000, v86_code, 0x6000, 0xFFF0, 0x1000, 0x1000, 0, 0, 0x0202
BITS 16
v86_code:
    mov al, 0x40
    out 0xE0, al
v86_after_irq:
    nop
v86_hlt:
    hlt
BITS 32
    ENDEXPECT
    CHECK "irq_v86_taken", dword [irq_count], dword 4
    CHECK "irq_v86_eip", dword [irq_eip], dword v86_after_irq
    CHECK "irq_v86_cs", dword [irq_cs], dword 0x1000
    mov eax, [irq_fl]
    and eax, 0x20200
    CHECK "irq_v86_eflags_vm_if", eax, dword 0x20200
    CHECK "irq_v86_esp0", dword [irq_esp], dword KSTACK0 - 36
    DONE

irq_handler:
    push ds
    push eax
    mov ax, SEL_DATA
    mov ds, ax
    inc dword [irq_count]
    lea eax, [esp + 8]
    mov [irq_esp], eax
    mov eax, [esp + 8]
    mov [irq_eip], eax
    mov eax, [esp + 12]
    mov [irq_cs], eax
    mov eax, [esp + 16]
    mov [irq_fl], eax
    pushfd
    pop dword [irq_inner_fl]
    pop eax
    pop ds
    iretd

to_ring0_target:
    pop eax
    mov esp, KSTACK
    mov cx, SEL_DATA
    mov ds, cx
    mov es, cx
    jmp eax

    align 4
irq_count: dd 0
irq_esp: dd 0
irq_eip: dd 0
irq_cs: dd 0
irq_fl: dd 0
irq_inner_fl: dd 0

%include "lib32.inc"

GDT_BEGIN
    GATEDESC SEL_CODE32, A(to_ring0_target), 0, ACC_CALL32 | DPL3 ; SEL_GATER0
GDT_END
