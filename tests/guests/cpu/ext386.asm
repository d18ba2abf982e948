; ext386.asm - 386, 486, Pentium and P6 instructions (0F xx): BT/BTS/BTR/BTC with register
; bit offsets into memory and immediate offsets, BSF/BSR, SHLD/SHRD, MOVZX/MOVSX, SETcc, Jcc
; near, IMUL r,r/m, PUSH/POP FS/GS, LFS/LGS/LSS, CMPXCHG, XADD, BSWAP, CMPXCHG8B, CMOVcc,
; CPUID, RDTSC (and CR4.TSD at CPL 3), RDMSR/WRMSR, SYSENTER/SYSEXIT.
; Expected values computed from the instruction descriptions in the Intel SDM vol. 2.
%include "lib.inc"

SEL_SYS    equ SEL_EXTRA + 0x00     ; SYSENTER_CS: flat code DPL 0, then flat data DPL 0,
                                    ; flat code DPL 3, flat data DPL 3
SEL_GATER0 equ SEL_EXTRA + 0x20 | 3 ; call gate DPL 3 -> to_ring0_target
CF_ equ 1
ZF_ equ 0x40

    START
    ; ---- bit tests ----
    mov dword [bitbuf], 0
    mov dword [bitbuf + 4], 8
    mov dword [bitbuf + 8], 0
    mov dword [bitbuf + 12], 0
    mov eax, 35                 ; dword 1, bit 3
    bt dword [bitbuf], eax
    CHECKF "bt_mem_reg_offset", CF_, CF_
    bt dword [bitbuf], 35         ; an immediate offset is taken modulo 32: dword 0, bit 3
    CHECKF "bt_mem_imm_offset_masked", CF_, 0
    mov eax, -29                ; from bits+8: dword -1 (bits+4), bit 3
    bt dword [bitbuf + 8], eax
    CHECKF "bt_mem_negative_offset", CF_, CF_
    mov eax, 100                ; dword 3, bit 4
    bts dword [bitbuf], eax
    CHECKF "bts_old_bit", CF_, 0
    CHECK "bts_sets", dword [bitbuf + 12], dword 0x10
    mov eax, 35
    btr dword [bitbuf], eax
    CHECKF "btr_old_bit", CF_, CF_
    CHECK "btr_clears", dword [bitbuf + 4], dword 0
    mov ax, 20                  ; 16-bit: word 1, bit 4
    btc word [bitbuf], ax
    CHECK "btc_word_offset", dword [bitbuf], dword 0x00100000
    btc word [bitbuf], ax
    CHECKF "btc_old_bit", CF_, CF_
    CHECK "btc_toggles_back", dword [bitbuf], dword 0
    mov ecx, 33
    mov eax, 2
    bt eax, ecx                 ; a register operand takes the offset modulo 32
    CHECKF "bt_reg_modulo", CF_, CF_
    bts eax, 31
    CHECK "bts_reg_imm", eax, dword 0x80000002

    ; ---- bit scans ----
    mov ecx, 0x000F0F00
    bsf eax, ecx
    CHECK "bsf", eax, dword 8
    bsr eax, ecx
    CHECK "bsr", eax, dword 19
    xor ecx, ecx
    bsf eax, ecx
    CHECKF "bsf_zero_sets_zf", ZF_, ZF_
    mov ecx, 1
    bsr eax, ecx
    CHECKF "bsr_nonzero_clears_zf", ZF_, 0
    CHECK "bsr_bit0", eax, dword 0

    ; ---- double shifts ----
    mov eax, 0x12345678
    mov ebx, 0x9ABCDEF0
    shld eax, ebx, 8
    CHECK "shld32", eax, dword 0x3456789A
    CHECKF "shld32_cf", CF_, 0
    mov eax, 0x12345678
    shrd eax, ebx, 4
    CHECK "shrd32", eax, dword 0x01234567
    CHECKF "shrd32_cf", CF_, CF_
    mov eax, 0x55551234
    mov bx, 0xABCD
    mov cl, 4
    shld ax, bx, cl
    CHECK "shld16_cl", eax, dword 0x5555234A
    CHECKF "shld16_cf", CF_, CF_
    mov dword [tmp], 0x80000001
    mov ebx, 0
    shrd dword [tmp], ebx, 1
    CHECK "shrd_mem", dword [tmp], dword 0x40000000
    CHECKF "shrd_mem_cf", CF_, CF_

    ; ---- MOVZX / MOVSX ----
    mov byte [tmp], 0x80
    movsx eax, byte [tmp]
    CHECK "movsx_byte", eax, dword 0xFFFFFF80
    movzx eax, byte [tmp]
    CHECK "movzx_byte", eax, dword 0x80
    mov word [tmp], 0x8001
    movzx eax, word [tmp]
    CHECK "movzx_word", eax, dword 0x8001
    movsx eax, word [tmp]
    CHECK "movsx_word", eax, dword 0xFFFF8001
    mov eax, 0x55550000
    mov bl, 0xF0
    movsx ax, bl
    CHECK "movsx_16bit_dest", eax, dword 0x5555FFF0

    ; ---- SETcc and Jcc near ----
    mov eax, 1
    cmp eax, 2
    setb al
    setg bl
    setle cl
    mov byte [tmp], 0xFF
    setc byte [tmp]
    movzx eax, al
    movzx ebx, bl
    movzx ecx, cl
    CHECK "setb", eax, dword 1
    CHECK "setg", ebx, dword 0
    CHECK "setle", ecx, dword 1
    movzx eax, byte [tmp]
    CHECK "setc_mem", eax, dword 1
    xor eax, eax
    jz near .far_target
    mov eax, 0xBAD
.pad: times 200 nop
.far_target:
    CHECK "jz_near", eax, dword 0

    ; ---- IMUL r, r/m ----
    mov eax, -7
    mov dword [tmp], 6
    imul eax, [tmp]
    CHECK "imul_r32_m32", eax, dword -42
    mov eax, 0x10000
    imul eax, eax
    CHECKF "imul_overflow_cf", CF_, CF_
    CHECK "imul_truncated", eax, dword 0

    ; ---- FS, GS ----
    mov ax, SEL_FLAT
    mov fs, ax
    push fs
    pop gs
    mov eax, [gs:BASE + tmp]
    mov ecx, [tmp]
    CHECK "push_pop_fs_gs", eax, ecx
    mov dword [farptr], 0
    mov word [farptr + 4], SEL_FLAT
    lgs ebx, [farptr]
    mov word [farptr + 4], SEL_DATA
    lfs ecx, [farptr]
    mov eax, gs
    CHECK "lgs", eax, dword SEL_FLAT
    mov eax, fs
    CHECK "lfs", eax, dword SEL_DATA
    mov dword [farptr], KSTACK - 0x100
    mov word [farptr + 4], SEL_DATA
    mov edx, esp
    lss esp, [farptr]
    mov ecx, esp
    mov esp, edx
    CHECK "lss", ecx, dword KSTACK - 0x100

    ; ---- 486: CMPXCHG, XADD, BSWAP ----
    mov dword [tmp], 5
    mov eax, 5
    mov ecx, 9
    cmpxchg [tmp], ecx
    CHECKF "cmpxchg_equal_zf", ZF_, ZF_
    CHECK "cmpxchg_equal_stores", dword [tmp], dword 9
    mov eax, 5
    cmpxchg [tmp], ecx
    CHECKF "cmpxchg_differ_zf", ZF_, 0
    CHECK "cmpxchg_differ_loads_eax", eax, dword 9
    mov byte [tmp], 0x42
    mov al, 0x41
    mov cl, 0x77
    cmpxchg [tmp], cl
    movzx eax, al
    CHECK "cmpxchg8_loads_al", eax, dword 0x42
    mov dword [tmp], 4
    mov eax, 3
    xadd [tmp], eax
    CHECK "xadd_sum", dword [tmp], dword 7
    CHECK "xadd_old", eax, dword 4
    mov eax, 0x11223344
    bswap eax
    CHECK "bswap", eax, dword 0x44332211

    ; ---- Pentium: CMPXCHG8B, CPUID, RDTSC, MSRs ----
    mov dword [q], 0x11111111
    mov dword [q + 4], 0x22222222
    mov eax, 0x11111111
    mov edx, 0x22222222
    mov ebx, 0x33333333
    mov ecx, 0x44444444
    cmpxchg8b [q]
    CHECKF "cmpxchg8b_equal_zf", ZF_, ZF_
    CHECK "cmpxchg8b_stores_lo", dword [q], dword 0x33333333
    CHECK "cmpxchg8b_stores_hi", dword [q + 4], dword 0x44444444
    xor eax, eax
    xor edx, edx
    cmpxchg8b [q]
    CHECKF "cmpxchg8b_differ_zf", ZF_, 0
    CHECK "cmpxchg8b_loads_eax", eax, dword 0x33333333
    CHECK "cmpxchg8b_loads_edx", edx, dword 0x44444444

    xor eax, eax
    cpuid
    mov [vendor], ebx
    mov [vendor + 4], edx
    mov [vendor + 8], ecx
    CHECK "cpuid0_vendor_ebx", dword [vendor], dword "Genu"
    CHECK "cpuid0_vendor_edx", dword [vendor + 4], dword "ineI"
    CHECK "cpuid0_vendor_ecx", dword [vendor + 8], dword "ntel"
    mov eax, 1
    cpuid
    shr eax, 8
    and eax, 0xF
    CHECK "cpuid1_family6", eax, dword 6
    and edx, (1 << 15) | (1 << 11) | (1 << 8) | (1 << 4) | (1 << 5)
    CHECK "cpuid1_cmov_sep_cx8_tsc_msr", edx, dword (1 << 15) | (1 << 11) | (1 << 8) | (1 << 4) | (1 << 5)

    rdtsc
    mov esi, eax
    mov edi, edx
    nop
    rdtsc
    sub eax, esi
    sbb edx, edi
    or edx, edx
    setz bl
    test eax, eax
    setnz bh
    and bl, bh
    movzx eax, bl
    CHECK "rdtsc_advances", eax, dword 1

    ; ---- CMOVcc ----
    mov eax, 1
    mov ecx, 2
    cmp eax, eax
    cmovz eax, ecx
    CHECK "cmovz_taken", eax, dword 2
    mov dword [tmp], 7
    cmovnz eax, [tmp]
    CHECK "cmovnz_not_taken", eax, dword 2
    cmp eax, 3
    cmovb eax, [tmp]
    CHECK "cmovb_mem", eax, dword 7

    ; ---- SYSENTER / SYSEXIT ----
    mov ecx, 0x174
    xor edx, edx
    mov eax, SEL_SYS
    wrmsr
    mov ecx, 0x175
    mov eax, BASE + KSTACK - 0x200      ; flat
    wrmsr
    mov ecx, 0x176
    mov eax, BASE + sysenter_entry
    wrmsr
    mov ecx, 0x174
    rdmsr
    CHECK "rdmsr_sysenter_cs", eax, dword SEL_SYS
    mov [saved_esp], esp
    mov ecx, BASE + USTACK              ; the user stack, flat
    mov edx, BASE + sysexit_target      ; the user code, flat
    sysexit
sysexit_target:
    mov [sx_cs], cs
    mov [sx_ss], ss
    mov [sx_esp], esp
    sysenter
sysenter_entry:
    mov [se_cs], cs
    mov [se_ss], ss
    mov [se_esp], esp
    pushfd
    pop dword [se_fl]
    jmp SEL_CODE32:after_sys
after_sys:
    mov ax, SEL_DATA
    mov ss, ax
    mov esp, [saved_esp]
    movzx eax, word [sx_cs]
    CHECK "sysexit_cs", eax, dword (SEL_SYS + 16) | 3
    movzx eax, word [sx_ss]
    CHECK "sysexit_ss", eax, dword (SEL_SYS + 24) | 3
    CHECK "sysexit_esp_from_ecx", dword [sx_esp], dword BASE + USTACK
    movzx eax, word [se_cs]
    CHECK "sysenter_cs", eax, dword SEL_SYS
    movzx eax, word [se_ss]
    CHECK "sysenter_ss", eax, dword SEL_SYS + 8
    CHECK "sysenter_esp_from_msr", dword [se_esp], dword BASE + KSTACK - 0x200
    mov eax, [se_fl]
    and eax, 0x20200
    CHECK "sysenter_clears_if_vm", eax, dword 0

    ; RDTSC at CPL 3: allowed, unless CR4.TSD.
    TO_RING3 0x2
    rdtsc
    OK "ring3_rdtsc_allowed"
    call SEL_GATER0:0
    mov eax, cr4
    or eax, 4                   ; TSD
    mov cr4, eax
    TO_RING3 0x2
    EXPECT "ring3_rdtsc_tsd", 13, 0, SEL_UCODE, .tsd1
.tsd1: rdtsc
    ENDEXPECT
    mov eax, cr4
    and eax, ~4
    mov cr4, eax
    EXPECT "rdmsr_unknown_gp", 13, 0, SEL_CODE32, .m1
    mov ecx, 0x12345
.m1: rdmsr
    ENDEXPECT
    DONE

to_ring0_target:
    pop eax
    mov esp, KSTACK
    mov cx, SEL_DATA
    mov ds, cx
    mov es, cx
    jmp eax

    align 8
bitbuf: times 4 dd 0
tmp: dd 0
q: dd 0, 0
farptr: dd 0
        dw 0
vendor: times 3 dd 0
saved_esp: dd 0
sx_cs: dd 0
sx_ss: dd 0
sx_esp: dd 0
se_cs: dd 0
se_ss: dd 0
se_esp: dd 0
se_fl: dd 0

%include "lib32.inc"

GDT_BEGIN
    DESC 0, 0xFFFFF, ACC_CODE, FL_G32                           ; SEL_SYS
    DESC 0, 0xFFFFF, ACC_DATA, FL_G32
    DESC 0, 0xFFFFF, ACC_CODE | DPL3, FL_G32
    DESC 0, 0xFFFFF, ACC_DATA | DPL3, FL_G32
    GATEDESC SEL_CODE32, A(to_ring0_target), 0, ACC_CALL32 | DPL3 ; SEL_GATER0
GDT_END
