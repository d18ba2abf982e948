; v86.asm - virtual-8086 mode without CR4.VME: IRET into v86 mode, real-mode style code there
; (segment arithmetic, 32-bit operands, OUT through the I/O bitmap), INT n at IOPL 0 raising
; #GP(0) to the monitor with the v86 stack frame (GS FS DS ES SS ESP EFLAGS CS EIP) on the TSS
; ring-0 stack and the data segment registers nulled, the monitor reflecting it to the 8086
; vector table, IRET/CLI/STI/HLT trapping too, INT3 going through the IDT (not IOPL-sensitive),
; and at IOPL 3 INT n through a DPL 3 gate and CLI/PUSHF without a fault.
; Expected results from the Intel SDM vol. 3 ch. 20 (8086 emulation) and 6.12.1.
%include "lib.inc"

    START
    mov ax, SEL_FLAT
    mov fs, ax
    mov word [fs:0x60 * 4], v86_int60
    mov word [fs:0x60 * 4 + 2], 0x1000
    mov eax, 13
    mov ebx, gp_monitor
    mov cx, SEL_CODE32
    mov dl, ACC_INT32
    call set_gate
    mov eax, 3
    mov ebx, int_record
    mov dl, ACC_INT32 | DPL3
    call set_gate
    mov eax, 0x62
    mov dl, ACC_INT32 | DPL3
    call set_gate

    mov dword [v86_exit], after_v86
    ENTER_V86 0x1000, v86_start, 0x6000, 0xFFF0, 0x1000, 0x1000, 0x1111, 0x2222, 0x0002

BITS 16
v86_start:
    mov [v_sp], sp
    mov [v_cs], cs
    mov [v_fs], fs
    mov [v_gs], gs
    CHECK16 "v86_cs", word [v_cs], 0x1000
    CHECK16 "v86_sp", word [v_sp], 0xFFF0
    CHECK16 "v86_fs_from_frame", word [v_fs], 0x1111
    CHECK16 "v86_gs_from_frame", word [v_gs], 0x2222
    ; Segment arithmetic: 2000:0010 and 1F00:1010 are the same byte.
    mov ax, 0x2000
    mov es, ax
    mov word [es:0x10], 0xBEEF
    push ds
    mov ax, 0x1F00
    mov ds, ax
    mov bx, [0x1010]
    pop ds
    CHECK16 "v86_segment_arithmetic", bx, 0xBEEF
    mov eax, 0x12345678
    ror eax, 16
    CHECK16 "v86_32bit_operand", ax, 0x1234
    ; INT n at IOPL 0: #GP to the monitor, which reflects it to the vector table.
    mov ax, 0x2000
    mov es, ax
    xor ax, ax
v86_int_site:
    int 0x60
    mov es, [v_cs]
    CHECK16 "v86_int_reflected_by_monitor", ax, 0x6060
    ; INT3 is not IOPL-sensitive: through the IDT (DPL 3 gate) to ring 0 and back.
v86_int3_site:
    int3
v86_after_int3:
    PRINT16 `ok v86_int3_returns\n`
    cli
    sti
    hlt                         ; the monitor takes us out of v86 mode
v86_int60:
    mov ax, 0x6060
    iret

v86_iopl3:
    ; IOPL 3: INT n goes through the IDT (DPL 3 gate); CLI and PUSHF do not fault.
    mov dword [rec_count], 0
    int 0x62
    CHECK16 "v86_iopl3_int_via_idt", word [rec_count], 1
    cli
    pushf
    pop ax
    and ax, 0x3200
    CHECK16 "v86_iopl3_cli_pushf", ax, 0x3000
    mov dword [mon_count], 0
    hlt
BITS 32

after_v86:
    mov ax, SEL_DATA
    mov ds, ax
    mov es, ax
    CHECK "v86_monitor_entries", dword [mon_count], dword 5
    CHECK "v86_gp_error_code", dword [mon_frame + 0], dword 0
    CHECK "v86_frame_eip", dword [mon_frame + 4], dword v86_int_site
    CHECK "v86_frame_cs", dword [mon_frame + 8], dword 0x1000
    mov eax, [mon_frame + 12]
    and eax, 0x27302            ; VM, NT, IOPL, IF, TF, bit 1
    CHECK "v86_frame_eflags", eax, dword 0x20002
    CHECK "v86_frame_esp", dword [mon_frame + 16], dword 0xFFF0
    CHECK "v86_frame_ss", dword [mon_frame + 20], dword 0x6000
    CHECK "v86_frame_es", dword [mon_frame + 24], dword 0x2000
    CHECK "v86_frame_ds", dword [mon_frame + 28], dword 0x1000
    CHECK "v86_frame_fs", dword [mon_frame + 32], dword 0x1111
    CHECK "v86_frame_gs", dword [mon_frame + 36], dword 0x2222
    CHECK "v86_ring0_esp_from_tss", dword [mon_esp], dword KSTACK0 - 40
    mov eax, [mon_fs]
    or ax, [mon_gs]
    and eax, 0xFFFF
    CHECK "v86_fs_gs_nulled_in_handler", eax, dword 0
    CHECK "v86_int_vector", dword [mon_last_int], dword 0x60
    CHECK "v86_vif_after_sti", dword [mon_vif], dword 0x200
    ; The INT3 frame.
    CHECK "v86_int3_count", dword [rec_count], dword 1
    CHECK "v86_int3_eip", dword [rec_frame + 0], dword v86_after_int3
    CHECK "v86_int3_cs", dword [rec_frame + 4], dword 0x1000
    mov eax, [rec_frame + 8]
    and eax, 0x20000
    CHECK "v86_int3_vm", eax, dword 0x20000
    CHECK "v86_int3_ss", dword [rec_frame + 16], dword 0x6000
    CHECK "v86_int3_es", dword [rec_frame + 20], dword 0x1000

    ; ---- IOPL 3 ----
    mov dword [v86_exit], after_v86_iopl3
    ENTER_V86 0x1000, v86_iopl3, 0x6000, 0xFFF0, 0x1000, 0x1000, 0, 0, 0x3002
after_v86_iopl3:
    mov ax, SEL_DATA
    mov ds, ax
    CHECK "v86_iopl3_hlt_still_faults", dword [mon_count], dword 1
    DONE

; Ring 0 handler for INT3 / INT 62h from v86 mode: keep the frame and return.
int_record:
    push ds
    push eax
    mov ax, SEL_DATA
    mov ds, ax
    inc dword [rec_count]
    mov eax, [esp + 8]
    mov [rec_frame + 0], eax
    mov eax, [esp + 12]
    mov [rec_frame + 4], eax
    mov eax, [esp + 16]
    mov [rec_frame + 8], eax
    mov eax, [esp + 20]
    mov [rec_frame + 12], eax
    mov eax, [esp + 24]
    mov [rec_frame + 16], eax
    mov eax, [esp + 28]
    mov [rec_frame + 20], eax
    pop eax
    pop ds
    iretd

    align 4
v_sp: dw 0
v_cs: dw 0
v_fs: dw 0
v_gs: dw 0
rec_count: dd 0
rec_frame: times 8 dd 0

%include "v86mon.inc"
%include "lib32.inc"

GDT_BEGIN
GDT_END
