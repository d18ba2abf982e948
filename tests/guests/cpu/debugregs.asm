; debugregs.asm - the debug registers beyond instruction breakpoints: data breakpoints on writes
; (a dword hit by an overlapping byte or word, not by its neighbours or by a read) and on reads
; or writes (hit by a read), a breakpoint inside REP MOVSB / REP STOSB (a trap after the iteration
; that hit, EIP back at the REP while ECX is not zero), a data breakpoint and single-step in one
; #DB, DR6.B0-B3 replaced while BD stays, DR4/DR5 aliasing DR6/DR7 with CR4.DE = 0 and #UD with
; CR4.DE = 1, I/O breakpoints (IN, OUT, REP OUTSB), general detect (DR7.GD: a fault at the MOV
; DRn with DR6.BD, GD cleared for the handler, the MOV then executes), and the TSS T bit (#DB with
; DR6.BT before the new task's first instruction; the task switch clears DR7 L0-L3).
; Expected values from the Intel SDM vol. 3 ch. 17 (17.2 debug registers, 17.3.1 debug
; exception conditions) and 7.2.1 (TSS T flag).
%include "lib.inc"

SEL_TSST equ SEL_EXTRA + 0x00       ; a task whose TSS has T = 1

DR6_0 equ 0xFFFF0FF0                ; DR6 with no condition bit set (reserved bits read as 1)
DR7_0 equ 0x00000400                ; DR7 with nothing enabled (bit 10 reads as 1)

; ARM: from here on #DB goes to db_hook, which logs it (db_n counts).
%macro ARM 0
    mov dword [db_n], 0
    mov dword [exp_hook], db_hook
    mov dword [exp_mode], MODE_HOOK
    xor eax, eax
    mov dr6, eax
%endmacro

; DISARM: all breakpoints off, #DB unexpected again.
%macro DISARM 0
    xor eax, eax
    mov dr7, eax
    mov dword [exp_mode], MODE_NONE
%endmacro

    START

    ; ---- data breakpoint on writes, 4 bytes (DR0, L0, R/W0 = 01, LEN0 = 11) ----
    ARM
    mov eax, BASE + watch
    mov dr0, eax
    mov eax, 0x000D0001
    mov dr7, eax
    mov byte [watch + 4], 0x11  ; the next byte: no hit
    mov byte [watch - 1], 0x22  ; the byte before: no hit
    mov eax, [watch]            ; a read: no hit (writes only)
.w1: mov byte [watch + 2], 0x33 ; a byte inside the dword: hit
.w1n:
.w2: mov word [watch - 1], 0x4444 ; a word over its first byte: hit
.w2n:
    DISARM
    CHECK "write_bp_count", dword [db_n], dword 2
    CHECK "write_bp_byte_eip", dword [db_eip], dword .w1n
    CHECK "write_bp_byte_dr6", dword [db_dr6], dword DR6_0 | 1
    CHECK "write_bp_word_eip", dword [db_eip + 4], dword .w2n
    CHECK "write_bp_word_dr6", dword [db_dr6 + 4], dword DR6_0 | 1
    CHECK "write_bp_trap_after_write", dword [watch], dword 0x00330044
    CHECK "write_bp_dr7_in_handler", dword [db_dr7], dword 0x000D0401

    ; ---- read/write breakpoint, 2 bytes, hit by a read (DR1, G1, R/W1 = 11, LEN1 = 01) ----
    ARM
    mov eax, BASE + watch2
    mov dr1, eax
    mov eax, 0x00700008
    mov dr7, eax
    mov al, [watch2 + 2]        ; outside the two bytes: no hit
    mov ecx, 0x5A5A5A5A
.r1: mov ecx, [watch2]          ; a read: hit
.r1n:
.r2: inc word [watch2]          ; read and write: one hit
.r2n:
    DISARM
    CHECK "rw_bp_count", dword [db_n], dword 2
    CHECK "rw_bp_read_eip", dword [db_eip], dword .r1n
    CHECK "rw_bp_read_dr6", dword [db_dr6], dword DR6_0 | 2
    CHECK "rw_bp_read_completed", ecx, dword 0x76543210
    CHECK "rw_bp_rmw_eip", dword [db_eip + 4], dword .r2n
    CHECK "rw_bp_rmw_dr6", dword [db_dr6 + 4], dword DR6_0 | 2

    ; ---- REP MOVSB: a trap after the iteration that wrote dst+5 (DR2, L2, R/W2 = 01, LEN 1) ----
    ARM
    mov eax, BASE + dst + 5
    mov dr2, eax
    mov eax, 0x01000010
    mov dr7, eax
    mov esi, src
    mov edi, dst
    mov ecx, 8
.m1: rep movsb
.m1n:
    mov [after_ecx], ecx
    DISARM
    CHECK "rep_movsb_count", dword [db_n], dword 1
    CHECK "rep_movsb_eip_at_rep", dword [db_eip], dword .m1
    CHECK "rep_movsb_ecx_left", dword [db_ecx], dword 2
    CHECK "rep_movsb_edi", dword [db_edi], dword dst + 6
    CHECK "rep_movsb_dr6", dword [db_dr6], dword DR6_0 | 4
    CHECK "rep_movsb_resumed_to_end", dword [after_ecx], dword 0
    CHECK "rep_movsb_copied_lo", dword [dst], dword 0x44332211
    CHECK "rep_movsb_copied_hi", dword [dst + 4], dword 0x88776655
    ; The last iteration hits: ECX is 0, EIP at the next instruction.
    ARM
    mov eax, BASE + dst + 7
    mov dr2, eax
    mov eax, 0x01000010
    mov dr7, eax
    mov edi, dst
    mov ecx, 8
    mov al, 0xEE
.m2: rep stosb
.m2n:
    DISARM
    CHECK "rep_stosb_last_count", dword [db_n], dword 1
    CHECK "rep_stosb_last_eip_next", dword [db_eip], dword .m2n
    CHECK "rep_stosb_last_ecx", dword [db_ecx], dword 0

    ; ---- a data breakpoint and single-step in the same instruction: one #DB, B0 and BS ----
    ARM
    mov eax, BASE + watch
    mov dr0, eax
    mov eax, 0x000D0001
    mov dr7, eax
    pushfd
    or dword [esp], 0x100
    popfd
.s1: mov dword [watch], 0x12345678
.s1n:
    nop
    DISARM
    CHECK "bp_and_step_count", dword [db_n], dword 1
    CHECK "bp_and_step_eip", dword [db_eip], dword .s1n
    CHECK "bp_and_step_dr6", dword [db_dr6], dword DR6_0 | 0x4001

    ; ---- DR6: a breakpoint replaces B0-B3; BD (and BS, BT) stay until software clears them ----
    ARM
    mov eax, 0x2002             ; BD and B1, as left by an earlier exception
    mov dr6, eax
    mov eax, 0x000D0001         ; DR0 still on `watch`
    mov dr7, eax
.d1: mov byte [watch], 0
.d1n:
    DISARM
    CHECK "dr6_b_replaced_bd_kept", dword [db_dr6], dword DR6_0 | 0x2001

    ; ---- DR4/DR5 with CR4.DE = 0: DR6/DR7 ----
    xor eax, eax
    mov dr6, eax
    mov eax, 0x00F00000         ; R/W1 and LEN1 set, nothing enabled
    mov dr7, eax
    mov eax, dr4
    CHECK "dr4_is_dr6_without_de", eax, dword DR6_0
    mov eax, dr5
    CHECK "dr5_is_dr7_without_de", eax, dword 0x00F00400
    mov eax, 0x4000
    mov dr4, eax
    mov eax, dr6
    CHECK "dr4_write_is_dr6_without_de", eax, dword DR6_0 | 0x4000
    xor eax, eax
    mov dr5, eax
    mov eax, dr7
    CHECK "dr5_write_is_dr7_without_de", eax, dword DR7_0

    ; ---- CR4.DE = 1: DR4/DR5 are #UD ----
    mov eax, cr4
    or eax, 8
    mov cr4, eax
    EXPECT "dr4_read_ud_with_de", 6, NOERR, SEL_CODE32, .u1
.u1: mov eax, dr4
    ENDEXPECT
    EXPECT "dr5_write_ud_with_de", 6, NOERR, SEL_CODE32, .u2
.u2: mov dr5, eax
    ENDEXPECT

    ; ---- I/O breakpoints (CR4.DE = 1; DR3 = port 80h, L3, R/W3 = 10, LEN3 = 00) ----
    ARM
    mov eax, 0x80
    mov dr3, eax
    mov eax, 0x20000040
    mov dr7, eax
    mov al, 0
    out 0x81, al                ; another port: no hit
.o1: out 0x80, al
.o1n:
    mov dx, 0x7F
.o2: out dx, ax                 ; ports 7Fh-80h: hit
.o2n:
.o3: in al, 0x80
.o3n:
    DISARM
    CHECK "io_bp_count", dword [db_n], dword 3
    CHECK "io_bp_out_eip", dword [db_eip], dword .o1n
    CHECK "io_bp_out_dr6", dword [db_dr6], dword DR6_0 | 8
    CHECK "io_bp_out_word_eip", dword [db_eip + 4], dword .o2n
    CHECK "io_bp_in_eip", dword [db_eip + 8], dword .o3n
    CHECK "io_bp_in_dr6", dword [db_dr6 + 8], dword DR6_0 | 8
    ; REP OUTSB to port 80h: a trap after every iteration, at the REP until ECX is 0.
    ARM
    mov eax, 0x20000040
    mov dr7, eax
    mov esi, src
    mov ecx, 3
    mov dx, 0x80
.o4: rep outsb
.o4n:
    DISARM
    CHECK "io_bp_rep_outsb_count", dword [db_n], dword 3
    CHECK "io_bp_rep_outsb_eip1", dword [db_eip], dword .o4
    CHECK "io_bp_rep_outsb_eip3", dword [db_eip + 8], dword .o4n
    CHECK "io_bp_rep_outsb_ecx", dword [db_ecx], dword 0
    mov eax, cr4
    and eax, ~8
    mov cr4, eax

    ; ---- general detect: MOV DRn faults with BD; the handler sees GD clear ----
    mov eax, 0xCAFE0000
    mov dr0, eax
    ARM
    mov eax, 0x2000             ; GD
    mov dr7, eax
    xor ecx, ecx
.g1: mov ecx, dr0
.g1n:
    mov eax, [db_n]
    mov [gd_n], eax
    mov eax, 0x2000
    mov dr7, eax
    mov eax, 0xBEEF0000
.g2: mov dr1, eax
    DISARM
    CHECK "gd_read_count", dword [gd_n], dword 1
    CHECK "gd_read_eip_at_mov", dword [db_eip], dword .g1
    CHECK "gd_read_dr6_bd", dword [db_dr6], dword DR6_0 | 0x2000
    CHECK "gd_read_cleared_for_handler", dword [db_dr7_log], dword DR7_0
    CHECK "gd_read_mov_then_runs", ecx, dword 0xCAFE0000
    CHECK "gd_write_count", dword [db_n], dword 2
    CHECK "gd_write_eip_at_mov", dword [db_eip + 4], dword .g2
    mov eax, dr1
    CHECK "gd_write_mov_then_runs", eax, dword 0xBEEF0000

    ; ---- TSS T bit: #DB with BT before the new task's first instruction ----
    mov word [tss_t + 100], 1   ; T
    ARM
    mov eax, BASE + never
    mov dr0, eax
    mov dr1, eax
    mov eax, 0x00110009         ; L0 and G1, both on writes to `never`
    mov dr7, eax
    jmp SEL_TSST:0
after_t:
    DISARM
    CHECK "t_bit_count", dword [db_n], dword 1
    CHECK "t_bit_eip_first_insn", dword [db_eip], dword task_t
    CHECK "t_bit_dr6_bt", dword [db_dr6], dword DR6_0 | 0x8000
    CHECK "t_bit_task_ran", dword [t_ran], dword 1
    CHECK "task_switch_clears_l0_l3", dword [t_dr7], dword 0x00110408
    ; Again with no breakpoint enabled (DR7 = 0): the task resumes after its JMP back.
    ARM
    jmp SEL_TSST:0
    DISARM
    CHECK "t_bit_no_bp_count", dword [db_n], dword 1
    CHECK "t_bit_no_bp_eip", dword [db_eip], dword t_again
    CHECK "t_bit_no_bp_dr6_bt", dword [db_dr6], dword DR6_0 | 0x8000
    CHECK "t_bit_no_bp_task_ran", dword [t_ran], dword 2
    DONE

; ---- the task with T = 1: note DR7, go back ----
task_t:
    inc dword [t_ran]
    mov eax, dr7
    mov [t_dr7], eax
    jmp SEL_TSS:0
t_again:
    jmp task_t

; db_hook: log EIP, DR6, DR7 (and the interrupted ECX, EDI) of a #DB, clear DR6 and TF.
db_hook:
    mov ecx, [db_n]
    and ecx, 7
    mov eax, [ebp + F_EIP]
    mov [db_eip + ecx * 4], eax
    mov eax, dr6
    mov [db_dr6 + ecx * 4], eax
    mov eax, dr7
    mov [db_dr7_log + ecx * 4], eax
    mov eax, [ebp + 24]         ; ECX in the PUSHAD image
    mov [db_ecx], eax
    mov eax, [ebp + 0]          ; EDI
    mov [db_edi], eax
    inc dword [db_n]
    xor eax, eax
    mov dr6, eax
    and dword [ebp + F_FL], ~0x100
    cmp dword [db_n], 8
    jb .r
    xor eax, eax                ; looping: give up
    mov dr7, eax
.r: ret

    align 4
db_n:       dd 0
db_eip:     times 8 dd 0
db_dr6:     times 8 dd 0
db_dr7_log: times 8 dd 0
db_dr7      equ db_dr7_log
db_ecx:     dd 0
db_edi:     dd 0
after_ecx:  dd 0
gd_n:       dd 0
t_ran:      dd 0
t_dr7:      dd 0
    align 8
            dd 0
watch:      dd 0, 0
watch2:     dd 0x76543210, 0
src:        db 0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, 0x88
dst:        dd 0, 0
never:      dd 0

    align 16
tss_t:  TSS32 task_t, 0x68000, 0, 0

%include "lib32.inc"

GDT_BEGIN
    DESC BASE + A(tss_t), 103, ACC_TSS32, FL_16                 ; SEL_TSST
GDT_END
