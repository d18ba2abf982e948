; paging.asm - two-level paging: an identity map with 4 KiB pages below 4 MiB and 4 MiB pages
; (CR4.PSE) above; accessed and dirty bits; the TLB (a stale entry, INVLPG, CR3 reload); #PF
; error codes and CR2 for not-present pages, user access to supervisor pages, writes to
; read-only pages at CPL 3 and (CR0.WP=1) at CPL 0, instruction fetch (also of an instruction
; straddling into a not-present page), a write across pages, a #PF from virtual-8086 mode;
; global pages (CR4.PGE) surviving a CR3 reload; a task switch loading CR3 from the TSS.
; Expected results from the Intel SDM vol. 3 ch. 4 (32-bit paging) and 6.15 (#PF).
%define TABLES_PAGE_ALIGN
%include "lib.inc"

SEL_UFLAT equ SEL_EXTRA + 0x00 | 3  ; flat data, DPL 3

PD   equ 0x30000                ; page directory (physical = linear)
PT0  equ 0x31000                ; page table for 0-4 MiB
PG_P equ 1
PG_W equ 2
PG_U equ 4
PG_A equ 0x20
PG_D equ 0x40
PG_PS equ 0x80

SUP_PAGE equ 0x52000            ; supervisor only
RO_PAGE  equ 0x53000            ; user, read-only
AD_PAGE  equ 0x50000            ; for the accessed / dirty bits
TLB_PAGE equ 0x60000            ; remapped behind the TLB's back
NP_PAGE  equ 0x70000            ; not present
NP_CODE  equ 0x74000            ; not present, jumped to
GLB_PAGE equ 0x62000            ; a global page
PD2      equ 0x32000            ; task B's page directory: 8 MiB maps 0xC00000
SEL_TSSB equ SEL_EXTRA + 0x08
SEL_GATE equ SEL_EXTRA + 0x10 | 3   ; call gate DPL 3 -> SEL_CODE32:gate_target
KSTACK0_PAGE equ BASE + KSTACK0 - 0x1000


; PTE linear: the page-table entry of a page below 4 MiB, through FS = SEL_FLAT
%define PTE(lin) fs:PT0 + ((lin) >> 12) * 4

    START
    mov ax, SEL_FLAT
    mov fs, ax
    mov es, ax
    ; The page directory: 4 KiB pages below 4 MiB, 4 MiB pages at 4 MiB, (an alias) 8 MiB and 12 MiB.
    mov edi, PD
    xor eax, eax
    mov ecx, 1024
    rep stosd
    mov dword [fs:PD], PT0 | PG_P | PG_W | PG_U
    mov dword [fs:PD + 4], 0x400000 | PG_PS | PG_P | PG_W | PG_U
    mov dword [fs:PD + 8], 0x400000 | PG_PS | PG_P | PG_W | PG_U
    mov dword [fs:PD + 12], 0xC00000 | PG_PS | PG_P | PG_W | PG_U
    mov edi, PT0
    mov eax, PG_P | PG_W | PG_U
    mov ecx, 1024
.fill:
    stosd
    add eax, 0x1000
    loop .fill
    mov ax, SEL_DATA
    mov es, ax
    mov dword [PTE(SUP_PAGE)], SUP_PAGE | PG_P | PG_W
    mov dword [PTE(RO_PAGE)], RO_PAGE | PG_P | PG_U
    mov dword [PTE(NP_PAGE)], 0
    mov dword [PTE(NP_CODE)], 0
    mov dword [fs:SUP_PAGE], 0x5A5A5A5A
    mov dword [fs:RO_PAGE], 0x0BADC0DE

    mov eax, PD
    mov cr3, eax
    mov eax, cr4
    or eax, 0x10                ; PSE
    mov cr4, eax
    mov eax, cr0
    or eax, 0x80000000
    mov cr0, eax
    jmp .flush                  ; (paging is on from the next instruction)
.flush:
    mov eax, cr0
    shr eax, 31
    CHECK "paging_on", eax, dword 1
    mov eax, [fs:PD]
    and eax, PG_A
    CHECK "pde_accessed_set", eax, dword PG_A

    ; ---- accessed and dirty bits ----
    mov dword [PTE(AD_PAGE)], AD_PAGE | PG_P | PG_W | PG_U
    invlpg [fs:AD_PAGE]
    mov eax, [fs:AD_PAGE + 0x10]
    mov eax, [PTE(AD_PAGE)]
    and eax, PG_A | PG_D
    CHECK "pte_accessed_on_read", eax, dword PG_A
    mov dword [fs:AD_PAGE + 0x10], 1
    mov eax, [PTE(AD_PAGE)]
    and eax, PG_A | PG_D
    CHECK "pte_dirty_on_write", eax, dword PG_A | PG_D

    ; ---- 4 MiB pages ----
    mov dword [fs:0x400000 + 0x1234], 0x44440000
    mov eax, [fs:0x800000 + 0x1234]     ; the alias at 8 MiB maps the same frame
    CHECK "pse_4m_alias", eax, dword 0x44440000
    mov eax, [fs:PD + 4]
    and eax, PG_A | PG_D | PG_PS
    CHECK "pse_pde_accessed_dirty", eax, dword PG_A | PG_D | PG_PS
    mov eax, [fs:PD + 8]
    and eax, PG_A | PG_D | PG_PS
    CHECK "pse_pde_read_only_accessed", eax, dword PG_A | PG_PS
    mov eax, [fs:0x400000 + 0x3FF000]   ; the last 4 KiB of the large page
    mov dword [fs:0x400000 + 0x3FFFFC], 0x12344321
    mov eax, [fs:0x800000 + 0x3FFFFC]
    CHECK "pse_4m_last_page", eax, dword 0x12344321

    ; ---- the TLB ----
    mov dword [fs:TLB_PAGE], 0xAAAAAAAA
    mov dword [fs:TLB_PAGE + 0x1000], 0xBBBBBBBB
    mov eax, [fs:TLB_PAGE]              ; the translation is now cached
    mov dword [PTE(TLB_PAGE)], (TLB_PAGE + 0x1000) | PG_P | PG_W | PG_U
    mov eax, [fs:TLB_PAGE]
    CHECK "tlb_stale_entry_used", eax, dword 0xAAAAAAAA
    invlpg [fs:TLB_PAGE]
    mov eax, [fs:TLB_PAGE]
    CHECK "invlpg_refreshes", eax, dword 0xBBBBBBBB
    mov dword [PTE(TLB_PAGE)], TLB_PAGE | PG_P | PG_W | PG_U
    mov eax, [fs:TLB_PAGE]
    CHECK "tlb_stale_again", eax, dword 0xBBBBBBBB
    mov eax, cr3
    mov cr3, eax
    mov eax, [fs:TLB_PAGE]
    CHECK "cr3_reload_flushes", eax, dword 0xAAAAAAAA

    ; ---- global pages survive a CR3 reload, not INVLPG ----
    mov eax, cr4
    or eax, 0x80                ; PGE
    mov cr4, eax
    mov dword [fs:GLB_PAGE], 0xAAAA0001
    mov dword [fs:GLB_PAGE + 0x1000], 0xBBBB0001
    mov dword [PTE(GLB_PAGE)], GLB_PAGE | PG_P | PG_W | PG_U | 0x100
    invlpg [fs:GLB_PAGE]
    mov eax, [fs:GLB_PAGE]
    mov dword [PTE(GLB_PAGE)], (GLB_PAGE + 0x1000) | PG_P | PG_W | PG_U | 0x100
    mov eax, cr3
    mov cr3, eax
    mov eax, [fs:GLB_PAGE]
    CHECK "pge_global_survives_cr3", eax, dword 0xAAAA0001
    invlpg [fs:GLB_PAGE]
    mov eax, [fs:GLB_PAGE]
    CHECK "pge_invlpg_flushes_global", eax, dword 0xBBBB0001

    ; ---- a task switch loads CR3 from the new TSS ----
    mov dword [fs:0xC00000 + 0x1234], 0xCCCC0000
    mov edi, PD2
    mov esi, PD
    mov ecx, 1024
    push ds
    push es
    mov ax, SEL_FLAT
    mov ds, ax
    mov es, ax
    rep movsd
    pop es
    pop ds
    mov dword [fs:PD2 + 8], 0xC00000 | PG_PS | PG_P | PG_W | PG_U
    mov dword [tss_b + 28], PD2         ; CR3 of task B
    mov dword [tss_cr3], PD             ; CR3 of this task, loaded on the way back
    jmp SEL_TSSB:0
back_from_b:
    CHECK "task_b_saw_its_cr3", dword [b_cr3], dword PD2
    CHECK "task_b_saw_its_mapping", dword [b_val], dword 0xCCCC0000
    mov eax, cr3
    CHECK "task_switch_back_cr3", eax, dword PD
    mov eax, [fs:0x800000 + 0x1234]
    CHECK "task_switch_back_mapping", eax, dword 0x44440000

    ; ---- page faults at CPL 0 ----
    EXPECT "pf_read_not_present", 14, 0, SEL_CODE32, .p1, NP_PAGE + 0x10
.p1: mov eax, [fs:NP_PAGE + 0x10]
    ENDEXPECT
    EXPECT "pf_write_not_present", 14, 2, SEL_CODE32, .p2, NP_PAGE + 0x24
.p2: mov dword [fs:NP_PAGE + 0x24], 1
    ENDEXPECT
    EXPECT "pf_fetch_not_present", 14, 0, SEL_CODE32, NP_CODE - BASE, NP_CODE
    jmp SEL_CODE32:NP_CODE - BASE
    ENDEXPECT
    ; An instruction straddling into a not-present page: CR2 is the first byte on that page.
    mov word [fs:NP_CODE - 2], 0xB890   ; nop; mov eax, imm32 (its immediate on the next page)
    EXPECT "pf_fetch_straddling", 14, 0, SEL_CODE32, NP_CODE - 1 - BASE, NP_CODE
    jmp SEL_CODE32:NP_CODE - 2 - BASE
    ENDEXPECT
    ; With CR0.WP=0 the supervisor writes to a read-only page.
    mov dword [fs:RO_PAGE + 4], 0x11111111
    CHECK "wp0_supervisor_writes_ro", dword [fs:RO_PAGE + 4], dword 0x11111111
    mov eax, cr0
    or eax, 0x10000             ; WP
    mov cr0, eax
    EXPECT "pf_wp1_supervisor_write_ro", 14, 3, SEL_CODE32, .p3, RO_PAGE + 8
.p3: mov dword [fs:RO_PAGE + 8], 0x22222222
    ENDEXPECT
    CHECK "pf_wp1_nothing_written", dword [fs:RO_PAGE + 8], dword 0
    ; A dword write across into the read-only page writes nothing at all.
    mov dword [fs:RO_PAGE - 4], 0
    EXPECT "pf_write_across_pages", 14, 3, SEL_CODE32, .p4, RO_PAGE
.p4: mov dword [fs:RO_PAGE - 2], 0x77777777
    ENDEXPECT
    CHECK "pf_across_first_page_untouched", dword [fs:RO_PAGE - 4], dword 0
    ; The supervisor reads a user page and a supervisor page freely.
    CHECK "supervisor_reads_sup_page", dword [fs:SUP_PAGE], dword 0x5A5A5A5A

    ; ---- page faults at CPL 3 ----
    ; From here on the ring-0 stack of the TSS is on a supervisor page: the CPU's pushes there
    ; (interrupts, call gates from ring 3) are supervisor accesses.
    and dword [PTE(KSTACK0_PAGE)], ~PG_U
    invlpg [fs:KSTACK0_PAGE]
    TO_RING3 0x2
    mov ax, SEL_UFLAT
    mov fs, ax
    CHECK "user_reads_user_ro_page", dword [fs:RO_PAGE], dword 0x0BADC0DE
    EXPECT "pf_user_read_supervisor", 14, 5, SEL_UCODE, .u1, SUP_PAGE + 0x40
.u1: mov eax, [fs:SUP_PAGE + 0x40]
    ENDEXPECT
    TO_RING3 0x2
    mov ax, SEL_UFLAT
    mov fs, ax
    EXPECT "pf_user_write_read_only", 14, 7, SEL_UCODE, .u2, RO_PAGE + 0x80
.u2: mov dword [fs:RO_PAGE + 0x80], 1
    ENDEXPECT
    TO_RING3 0x2
    mov ax, SEL_UFLAT
    mov fs, ax
    EXPECT "pf_user_read_not_present", 14, 4, SEL_UCODE, .u3, NP_PAGE + 0x100
.u3: mov eax, [fs:NP_PAGE + 0x100]
    ENDEXPECT
    TO_RING3 0x2
    mov ax, SEL_UFLAT
    mov fs, ax
    EXPECT "pf_user_write_not_present", 14, 6, SEL_UCODE, .u4, NP_PAGE + 0x200
.u4: mov dword [fs:NP_PAGE + 0x200], 1
    ENDEXPECT
    ; A call gate from ring 3 pushes the caller's stack onto the supervisor-only ring-0 stack.
    TO_RING3 0x2
    push dword 0x1234
    call SEL_GATE:0
    ; (gate_target continues at ring 0)
after_gate:
    CHECK "callgate_pushes_to_supervisor_stack", dword [gate_param], dword 0x1234
    ; #PF from virtual-8086 mode: a user access; the handler gets the v86 frame.
    EXPECT "pf_from_v86", 14, 6, 0x1000, v86_store, NP_PAGE + 0x300
    ENTER_V86 0x1000, v86_code, 0x6000, 0xFFF0, 0x1000, 0x1000, 0, 0, 0x0002
BITS 16
v86_code:
    mov ax, NP_PAGE >> 4
    mov es, ax
v86_store:
    mov word [es:0x300], 1
BITS 32
    ENDEXPECT
    mov eax, [got_fl]
    and eax, 0x20000
    CHECK "pf_from_v86_frame_vm", eax, dword 0x20000
    ; The supervisor bit in the directory entry covers its whole table.
    mov ax, SEL_FLAT
    mov fs, ax
    and dword [fs:PD + 8], ~PG_U
    mov eax, cr3
    mov cr3, eax
    TO_RING3 0x2
    mov ax, SEL_UFLAT
    mov fs, ax
    EXPECT "pf_user_supervisor_pde", 14, 5, SEL_UCODE, .u5, 0x800000 + 0x1234
.u5: mov eax, [fs:0x800000 + 0x1234]
    ENDEXPECT
    ; The CPU's own accesses to the GDT, IDT and TSS are supervisor accesses: IRET to ring 3,
    ; OUT through the I/O bitmap and an interrupt from ring 3 work with those tables on
    ; supervisor pages, which ring 3 itself cannot read.
    mov ax, SEL_FLAT
    mov fs, ax
    mov eax, BASE + A(tables_page)
    shr eax, 12
    and dword [fs:PT0 + eax * 4], ~PG_U
    and dword [fs:PT0 + eax * 4 + 4], ~PG_U
    mov eax, cr3
    mov cr3, eax
    mov eax, 0x50
    mov ebx, int50
    mov cx, SEL_CODE32
    mov dl, ACC_INT32 | DPL3
    call set_gate
    mov dword [int50_count], 0
    TO_RING3 0x2
    OK "ring3_with_supervisor_tables"
    int 0x50
    CHECK "int_from_ring3_supervisor_tables", dword [int50_count], dword 1
    EXPECT "pf_user_reads_gdt", 14, 5, SEL_UCODE, .u6, BASE + A(gdt)
.u6: mov eax, [gdt]
    ENDEXPECT
    DONE

int50:
    push ds
    push eax
    mov ax, SEL_DATA
    mov ds, ax
    inc dword [int50_count]
    pop eax
    pop ds
    iretd

int50_count: dd 0

gate_target:
    mov eax, [esp + 8]
    mov [gate_param], eax
    mov esp, KSTACK
    jmp after_gate
gate_param: dd 0

task_b:
    mov ax, SEL_FLAT
    mov fs, ax
    mov eax, cr3
    mov [b_cr3], eax
    mov eax, [fs:0x800000 + 0x1234]
    mov [b_val], eax
    jmp SEL_TSS:0

b_cr3: dd 0
b_val: dd 0
    align 16
tss_b: TSS32 task_b, 0x68000, 0, 0

%include "lib32.inc"

GDT_BEGIN
    DESC 0, 0xFFFFF, ACC_DATA | DPL3, FL_G32                    ; SEL_UFLAT
    DESC BASE + A(tss_b), 103, ACC_TSS32, FL_16                 ; SEL_TSSB
    GATEDESC SEL_CODE32, A(gate_target), 1, ACC_CALL32 | DPL3   ; SEL_GATE
GDT_END
