; v86vme.asm - virtual-mode extensions (CR4.VME, Pentium and later): with the vector's bit
; clear in the TSS interrupt redirection bitmap, INT n in v86 mode at IOPL 0 goes straight to
; the 8086 vector table (the pushed FLAGS show IF = VIF and IOPL 3) and the handler's 16-bit
; IRET restores VIF; with the bit set it raises #GP(0) to the monitor; CLI/STI/PUSHF/POPF work
; on VIF without faulting; HLT still faults, and the monitor sees VIF in EFLAGS. Then CR4.PVI:
; CLI/STI at CPL 3 in protected mode change VIF.
; Expected results from the Intel SDM vol. 3, 20.3 and 20.4 (table 20-2, methods 4 and 6).
; QEMU's TCG does not implement VME, so this guest is checked against the SDM only.
%include "lib.inc"

VIF equ 0x80000


    START
    mov eax, 1
    cpuid
    and edx, 2
    CHECK "cpuid_has_vme", edx, dword 2
    mov ax, SEL_FLAT
    mov fs, ax
    mov word [fs:0x60 * 4], v86_int60
    mov word [fs:0x60 * 4 + 2], 0x1000
    mov word [fs:0x61 * 4], v86_int61
    mov word [fs:0x61 * 4 + 2], 0x1000
    mov eax, 13
    mov ebx, gp_monitor
    mov cx, SEL_CODE32
    mov dl, ACC_INT32
    call set_gate
    and byte [tss_redir + 0x61 / 8], ~(1 << (0x61 & 7))
    mov eax, cr4
    or eax, 1                   ; VME
    mov cr4, eax
    mov dword [mon_count], 0
    mov dword [v86_exit], after_v86
    ENTER_V86 0x1000, v86_start, 0x6000, 0xFFF0, 0x1000, 0x1000, 0, 0, 0x0002

BITS 16
v86_start:
    sti                         ; VIF := 1, no fault
    pushf                       ; IF shows VIF, IOPL shows 3
    pop ax
    and ax, 0x3200
    CHECK16 "vme_sti_pushf", ax, 0x3200
    cli                         ; VIF := 0
    pushf
    pop ax
    and ax, 0x3200
    CHECK16 "vme_cli_pushf", ax, 0x3000
    push word 0x0202
    popf                        ; IF of the image goes to VIF
    pushf
    pop ax
    and ax, 0x0200
    CHECK16 "vme_popf_sets_vif", ax, 0x0200
    ; INT 61h: redirected to the 8086 vector table, no monitor.
    xor ax, ax
    mov [i61_flags], ax
    int 0x61
    CHECK16 "vme_int_redirected", ax, 0x6161
    mov ax, [i61_flags]
    and ax, 0x3200
    CHECK16 "vme_redirect_pushed_flags", ax, 0x3200
    mov ax, [i61_inner]
    and ax, 0x0200
    CHECK16 "vme_redirect_clears_vif", ax, 0
    pushf
    pop ax
    and ax, 0x0200
    CHECK16 "vme_iret_restores_vif", ax, 0x0200
    CHECK16 "vme_no_monitor_yet", word [mon_count], 0
    ; INT 60h: its redirection bit is set, so #GP(0) to the monitor.
    xor ax, ax
    int 0x60
    CHECK16 "vme_int_not_redirected_monitor", ax, 0x6060
    CHECK16 "vme_monitor_entered_once", word [mon_count], 1
    sti
    hlt                         ; still faults; the monitor sees VIF
v86_int60:
    mov ax, 0x6060
    iret
v86_int61:
    push bp
    mov bp, sp
    mov ax, [bp + 6]            ; the pushed FLAGS
    mov [i61_flags], ax
    pushf
    pop ax
    mov [i61_inner], ax
    pop bp
    mov ax, 0x6161
    iret
BITS 32

after_v86:
    mov ax, SEL_DATA
    mov ds, ax
    mov es, ax
    CHECK "vme_hlt_monitor", dword [mon_count], dword 2
    mov eax, [mon_last_fl]
    and eax, VIF | 0x20200
    CHECK "vme_monitor_sees_vif", eax, dword VIF | 0x20000

    ; ---- VIP: STI (or an IRET/POPF setting IF) with a virtual interrupt pending faults ----
    mov eax, 13
    mov ebx, exc_stub_13
    mov cx, SEL_CODE32
    mov dl, ACC_INT32
    call set_gate
    EXPECT "vme_sti_with_vip_gp", 13, 0, 0x1000, v86_vip_sti
    ENTER_V86 0x1000, v86_vip, 0x6000, 0xFFF0, 0x1000, 0x1000, 0, 0, 0x100002
BITS 16
v86_vip:
    cli                         ; no fault
v86_vip_sti:
    sti                         ; VIP=1: #GP(0)
BITS 32
    ENDEXPECT
    EXPECT "vme_popf_if_with_vip_gp", 13, 0, 0x1000, v86_vip_popf
    ENTER_V86 0x1000, v86_vip2, 0x6000, 0xFFF0, 0x1000, 0x1000, 0, 0, 0x100002
BITS 16
v86_vip2:
    push word 0x0002
    popf                        ; IF=0: no fault
    push word 0x0202
v86_vip_popf:
    popf                        ; IF=1 with VIP=1: #GP(0)
BITS 32
    ENDEXPECT

    ; ---- CR4.PVI: CLI/STI at CPL 3 change VIF ----
    mov eax, cr4
    and eax, ~1
    or eax, 2                   ; PVI
    mov cr4, eax
    TO_RING3 0x2
    sti
    pushfd
    pop eax
    and eax, VIF | 0x200
    CHECK "pvi_sti_sets_vif", eax, dword VIF
    cli
    pushfd
    pop eax
    and eax, VIF | 0x200
    CHECK "pvi_cli_clears_vif", eax, dword 0
    EXPECT "pvi_hlt_still_faults", 13, 0, SEL_UCODE, .f1
.f1: hlt
    ENDEXPECT
    DONE

    align 2
i61_flags: dw 0
i61_inner: dw 0

%include "v86mon.inc"
%include "lib32.inc"

GDT_BEGIN
GDT_END
