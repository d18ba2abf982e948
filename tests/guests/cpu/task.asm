; task.asm - hardware task switches with 32-bit TSSs: JMP to a TSS (busy bits, no nesting, the
; outgoing state saved, the incoming registers, segments and LDT loaded, CR0.TS set), CALL
; through a task gate and IRET back through NT and the back link, INT through a task gate,
; #GP for a busy TSS, and an exception (#TS from a bad TSS SS0 at an INT from ring 3) delivered
; through a task gate with its error code on the new task's stack, fixed, and retried; a bad
; segment selector in the new TSS faulting in the context of the new task.
; Expected results from the Intel SDM vol. 3 ch. 7 (task management) and 6.12.2.
%include "lib.inc"

SEL_TSSB  equ SEL_EXTRA + 0x00
SEL_TSSC  equ SEL_EXTRA + 0x08
SEL_GATEC equ SEL_EXTRA + 0x10      ; task gate -> SEL_TSSC
SEL_TSSD  equ SEL_EXTRA + 0x18      ; reached by INT 70h through a task gate
SEL_TSSTS equ SEL_EXTRA + 0x20      ; the #TS handler task
SEL_LDTB  equ SEL_EXTRA + 0x28      ; task B's LDT
SEL_GATER0 equ SEL_EXTRA + 0x30 | 3 ; call gate DPL 3 -> to_ring0_target
SEL_TSSE  equ SEL_EXTRA + 0x38      ; a task whose DS selector is bad
SEL_TSSV  equ SEL_EXTRA + 0x40      ; a virtual-8086 mode task
LSEL_B    equ 0x04 | 0              ; entry 0 of task B's LDT (TI=1)



    START
    mov eax, 0x70
    mov bx, 0
    mov cx, SEL_TSSD
    mov dl, ACC_TASK
    call set_gate
    mov eax, 10                 ; #TS through a task gate
    mov cx, SEL_TSSTS
    call set_gate
    mov eax, 0x50
    mov ebx, int50
    mov cx, SEL_CODE32
    mov dl, ACC_INT32 | DPL3
    call set_gate

    ; ---- JMP to a TSS ----
    clts
    mov word [tss_b], 0x1234    ; a JMP leaves the back link alone
    mov eax, 0xA0A0A0A0
    mov esi, 0x5E5E5E5E
    jmp SEL_TSSB:0
after_jmp_b:
    ; Back from task B (it JMPed to us).
    mov [a_eax], eax
    str ax
    movzx eax, ax
    CHECK "jmp_back_tr", eax, dword SEL_TSS
    movzx eax, byte [gdt + SEL_TSS + 5]
    CHECK "jmp_back_a_busy", eax, dword ACC_TSS32 | 2
    movzx eax, byte [gdt + SEL_TSSB + 5]
    CHECK "jmp_back_b_available", eax, dword ACC_TSS32
    CHECK "jmp_back_regs_restored", dword [a_eax], dword 0xA0A0A0A0
    CHECK "b_saved_eax", dword [tss_b + TSS_EAX], dword 0xB0B0B0B0
    CHECK "b_saved_eip", dword [tss_b + TSS_EIP], dword b_after_jmp
    sldt ax
    movzx eax, ax
    CHECK "jmp_back_ldtr_from_tss", eax, dword 0
    ; Task B's own checks, made while it ran.
    CHECK "task_b_tr", dword [b_tr], dword SEL_TSSB
    CHECK "task_b_eax_from_tss", dword [b_eax], dword 0xB0000001
    CHECK "task_b_busy", dword [b_busy], dword ACC_TSS32 | 2
    CHECK "task_b_old_not_busy", dword [b_a_busy], dword ACC_TSS32
    CHECK "task_b_nt_clear", dword [b_nt], dword 0
    CHECK "task_b_link_untouched", dword [b_link], dword 0x1234
    CHECK "task_b_cr0_ts", dword [b_ts], dword 8
    CHECK "task_b_ldtr", dword [b_ldtr], dword SEL_LDTB
    CHECK "task_b_ldt_segment", dword [b_ldtval], dword 0x4C445442
    CHECK "task_a_saved_eip", dword [b_a_eip], dword after_jmp_b
    CHECK "task_a_saved_eax", dword [b_a_eax], dword 0xA0A0A0A0
    CHECK "task_a_saved_esi", dword [b_a_esi], dword 0x5E5E5E5E

    ; ---- CALL through a task gate, IRET back ----
    clts
    call SEL_GATEC:0
after_call_c:
    CHECK "task_c_ran", dword [c_count], dword 1
    CHECK "task_c_nt_set", dword [c_nt], dword 0x4000
    CHECK "task_c_back_link", dword [c_link], dword SEL_TSS
    CHECK "task_c_caller_still_busy", dword [c_a_busy], dword ACC_TSS32 | 2
    CHECK "task_c_busy", dword [c_busy], dword ACC_TSS32 | 2
    movzx eax, byte [gdt + SEL_TSSC + 5]
    CHECK "iret_c_not_busy", eax, dword ACC_TSS32
    mov eax, [tss_c + TSS_EFLAGS]
    and eax, 0x4000
    CHECK "iret_c_saved_nt_cleared", eax, dword 0
    pushfd
    pop eax
    and eax, 0x4000
    CHECK "iret_back_nt_clear", eax, dword 0
    mov eax, cr0
    and eax, 8
    CHECK "iret_back_cr0_ts", eax, dword 8
    ; Task C's saved EIP is after its IRET: calling it again resumes there.
    call SEL_GATEC:0
    CHECK "task_c_resumes_after_iret", dword [c_count], dword 2

    ; ---- busy tasks ----
    EXPECT "jmp_to_busy_self", 13, SEL_TSS, SEL_CODE32, .b1
.b1: jmp SEL_TSS:0
    ENDEXPECT
    EXPECT "call_gate_to_busy_task", 13, SEL_TSSC, SEL_CODE32, .b2
    mov byte [gdt + SEL_TSSC + 5], ACC_TSS32 | 2    ; mark C busy
.b2: call SEL_GATEC:0
    ENDEXPECT
    mov byte [gdt + SEL_TSSC + 5], ACC_TSS32

    ; ---- INT through a task gate ----
    int 0x70
    CHECK "int_task_gate_ran", dword [d_count], dword 1
    CHECK "int_task_gate_link", dword [d_link], dword SEL_TSS
    CHECK "int_task_gate_nt", dword [d_nt], dword 0x4000

    ; ---- #TS from a bad SS0, delivered through a task gate ----
    mov dword [tss_ss0], SEL_DATA | 3   ; RPL 3 for a ring-0 stack: invalid
    mov dword [ts_count], 0
    mov dword [i50_count], 0
    TO_RING3 0x2
ts_site:
    int 0x50
    ; The #TS task fixed SS0 and returned; the INT was retried and reached ring 0.
    CHECK "ts_task_ran", dword [ts_count], dword 1
    CHECK "ts_error_code", dword [ts_err], dword SEL_DATA
    CHECK "ts_saved_eip_is_int", dword [ts_eip], dword ts_site
    CHECK "ts_saved_cs_ring3", dword [ts_cs], dword SEL_UCODE
    CHECK "ts_retry_reached_ring0", dword [i50_count], dword 1
    CHECK "ts_retry_ring0_ss", dword [i50_ss], dword SEL_DATA
    call SEL_GATER0:0

    ; ---- the same for an exception (#UD at ring 3): the #TS error code has EXT set ----
    mov dword [tss_ss0], SEL_DATA | 3
    mov dword [ts_count], 0
    TO_RING3 0x2
    EXPECT "ud_retried_after_ts_task", 6, NOERR, SEL_UCODE, .ud_site
.ud_site:
    ud2
    ENDEXPECT
    CHECK "ts_ext_task_ran", dword [ts_count], dword 1
    CHECK "ts_ext_error_code", dword [ts_err], dword SEL_DATA | 1

    ; ---- a task switch into virtual-8086 mode (EFLAGS.VM in the new TSS) ----
    EXPECT "task_switch_into_v86", 13, 0, 0x1000, v86_task_hlt
    jmp SEL_TSSV:0
    ENDEXPECT
    mov eax, [got_fl]
    and eax, 0x20000
    CHECK "v86_task_frame_vm", eax, dword 0x20000
    CHECK "v86_task_ran", dword [v_marker], dword 0x8086
    str ax
    movzx eax, ax
    CHECK "v86_task_is_current", eax, dword SEL_TSSV
    mov ax, SEL_TSS             ; (back to the first TSS for what follows)
    mov byte [gdt + SEL_TSS + 5], ACC_TSS32
    ltr ax

    ; ---- a fault while loading the new task's segments: raised in the new task ----
    mov eax, 10
    mov ebx, exc_stub_10
    mov cx, SEL_CODE32
    mov dl, ACC_INT32
    call set_gate
    mov dword [tss_e + 84], SEL_TSS     ; DS = a TSS descriptor: #TS(selector)
    EXPECT "ts_in_new_task_context", 10, SEL_TSS, SEL_CODE32, task_e
    jmp SEL_TSSE:0
.e_after:
    ENDEXPECT
    str ax
    movzx eax, ax
    CHECK "ts_new_task_is_current", eax, dword SEL_TSSE
    movzx eax, byte [gdt + SEL_TSS + 5]
    CHECK "ts_old_task_not_busy", eax, dword ACC_TSS32
    CHECK "ts_old_task_saved_eip", dword [tss_eip], dword .e_after
    DONE

; ---- task B: entered by JMP ----
task_b:
    mov [b_eax], eax
    str ax
    movzx eax, ax
    mov [b_tr], eax
    movzx eax, byte [gdt + SEL_TSSB + 5]
    mov [b_busy], eax
    movzx eax, byte [gdt + SEL_TSS + 5]
    mov [b_a_busy], eax
    pushfd
    pop eax
    and eax, 0x4000
    mov [b_nt], eax
    movzx eax, word [tss_b]
    mov [b_link], eax
    mov eax, cr0
    and eax, 8
    mov [b_ts], eax
    sldt ax
    movzx eax, ax
    mov [b_ldtr], eax
    mov ax, LSEL_B
    mov es, ax
    mov eax, [es:ldt_marker]
    mov [b_ldtval], eax
    mov ax, SEL_DATA
    mov es, ax
    mov eax, [tss_eip]
    mov [b_a_eip], eax
    mov eax, [tss_regs]
    mov [b_a_eax], eax
    mov eax, [tss_regs + 24]
    mov [b_a_esi], eax
    mov eax, 0xB0B0B0B0
    jmp SEL_TSS:0
b_after_jmp:
    jmp b_after_jmp

; ---- task C: entered by CALL through a task gate ----
task_c:
    inc dword [c_count]
    pushfd
    pop eax
    and eax, 0x4000
    mov [c_nt], eax
    movzx eax, word [tss_c]
    mov [c_link], eax
    movzx eax, byte [gdt + SEL_TSS + 5]
    mov [c_a_busy], eax
    movzx eax, byte [gdt + SEL_TSSC + 5]
    mov [c_busy], eax
    iretd
    jmp task_c

; ---- task D: entered by INT 70h ----
task_d:
    inc dword [d_count]
    movzx eax, word [tss_d]
    mov [d_link], eax
    pushfd
    pop eax
    and eax, 0x4000
    mov [d_nt], eax
    iretd
    jmp task_d

; ---- the #TS task: error code on its stack ----
task_ts:
    pop eax
    mov [ts_err], eax
    inc dword [ts_count]
    mov eax, [tss_eip]
    mov [ts_eip], eax
    movzx eax, word [tss_segs + 4]
    mov [ts_cs], eax
    mov dword [tss_ss0], SEL_DATA
    iretd
    jmp task_ts

int50:
    push ds
    push eax
    mov ax, SEL_DATA
    mov ds, ax
    inc dword [i50_count]
    mov word [i50_ss], ss
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
a_eax: dd 0
b_eax: dd 0
b_tr: dd 0
b_busy: dd 0
b_a_busy: dd 0
b_nt: dd 0
b_link: dd 0
b_ts: dd 0
b_ldtr: dd 0
b_ldtval: dd 0
b_a_eip: dd 0
b_a_eax: dd 0
b_a_esi: dd 0
c_count: dd 0
c_nt: dd 0
c_link: dd 0
c_a_busy: dd 0
c_busy: dd 0
d_count: dd 0
d_link: dd 0
d_nt: dd 0
ts_count: dd 0
ts_err: dd 0
ts_eip: dd 0
ts_cs: dd 0
i50_count: dd 0
i50_ss: dd 0
ldt_marker: db "BTDL"

    align 16
tss_b:  TSS32 task_b, 0x68000, SEL_LDTB, 0xB0000001
    align 16
tss_c:  TSS32 task_c, 0x67000, 0, 0
    align 16
tss_d:  TSS32 task_d, 0x66000, 0, 0
    align 16
tss_ts: TSS32 task_ts, 0x65000, 0, 0
    align 16
tss_e:  TSS32 task_e, 0x64000, 0, 0
task_e:
    jmp task_e
    align 16
tss_v:
    dd 0, KSTACK0, SEL_DATA, 0, 0, 0, 0, 0      ; link, ESP0, SS0, ESP1, SS1, ESP2, SS2, CR3
    dd v86_task, 0x00020002                      ; EIP, EFLAGS (VM)
    dd 0, 0, 0, 0, 0xFFF0, 0, 0, 0              ; EAX ECX EDX EBX ESP EBP ESI EDI
    dd 0x1000, 0x1000, 0x6000, 0x1000, 0, 0     ; ES CS SS DS FS GS (real-mode style)
    dd 0                                        ; LDT
    dw 0, tss_io - tss + 0x1000                 ; T, I/O map base (none)
BITS 16
v86_task:
    mov word [v_marker], 0x8086
v86_task_hlt:
    hlt
BITS 32
v_marker: dd 0
    align 8
ldt_b:
    DESC BASE, 0xFFFFF, ACC_DATA, FL_G32                        ; LSEL_B

%include "lib32.inc"

GDT_BEGIN
    DESC BASE + A(tss_b), 103, ACC_TSS32, FL_16                 ; SEL_TSSB
    DESC BASE + A(tss_c), 103, ACC_TSS32, FL_16                 ; SEL_TSSC
    GATEDESC SEL_TSSC, 0, 0, ACC_TASK                           ; SEL_GATEC
    DESC BASE + A(tss_d), 103, ACC_TSS32, FL_16                 ; SEL_TSSD
    DESC BASE + A(tss_ts), 103, ACC_TSS32, FL_16                ; SEL_TSSTS
    DESC BASE + A(ldt_b), 7, ACC_LDT, FL_16                     ; SEL_LDTB
    GATEDESC SEL_CODE32, A(to_ring0_target), 0, ACC_CALL32 | DPL3 ; SEL_GATER0
    DESC BASE + A(tss_e), 103, ACC_TSS32, FL_16                 ; SEL_TSSE
    DESC BASE + A(tss_v), 103, ACC_TSS32, FL_16                 ; SEL_TSSV
GDT_END
