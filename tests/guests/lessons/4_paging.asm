; Lesson 4: paging and a page fault. The kernel maps the first 4 MiB one to one, except the
; page at 200000h, turns paging on (CR0.PG), and reads that page: #PF with CR2 = 200000h and an
; error code saying "not present, read, supervisor". The handler maps the page and returns; the
; read is retried and succeeds.
; Build: nasm -f bin 4_paging.asm -o ../../../www/lessons/4_paging.img
%include "lesson.inc"
PD equ 0x20000
PT equ 0x21000
main:
    call rclear
    mov si, s_intro
    call rputs
    mov bx, pm_main
    jmp enter_pm
bits 32
pm_main:
    lidt [idtr]
    mov edi, PD                 ; page directory: one table for 0-4 MiB
    mov eax, PT | 3
    stosd
    xor eax, eax
    mov ecx, 1023
    rep stosd
    mov edi, PT                 ; page table: 1024 pages, present and writable
    mov eax, 3
    mov ecx, 1024
.map:
    stosd
    add eax, 0x1000
    loop .map
    mov dword [PT + 0x200 * 4], 0x200000 ; page 200000h: not present
    mov eax, PD
    mov cr3, eax
    mov esi, s_on
    call kputs
    mov eax, cr0
    or eax, 0x80000000
    mov cr0, eax                ; paging on
    mov esi, s_read
    call kputs
    mov eax, [0x200000]         ; #PF, then retried
    mov esi, s_ok
    call kputs
    call khex
    mov esi, s_end
    call kputs
    jmp halt_forever
pf_handler:
    mov esi, s_pf
    call kputs
    mov eax, cr2
    call khex
    mov esi, s_err
    call kputs
    mov eax, [esp]
    call khex
    mov esi, s_fix
    call kputs
    mov eax, cr2
    shr eax, 12
    or dword [PT + eax * 4], 3  ; present, writable
    mov eax, cr2
    invlpg [eax]
    add esp, 4
    iret
gp_handler equ unexpected
s_intro: db "Lesson 4. Paging: linear addresses go through page tables.", 10, 0
s_on:    db "Ring 0: page tables built (page 200000h absent). Setting CR0.PG...", 10, 0
s_read:  db "Paging on. Reading [200000h]...", 10, 0
s_pf:    db "  #PF: CR2=", 0
s_err:   db " error=", 0
s_fix:   db " -> mapping the page, retry.", 10, 0
s_ok:    db "The read succeeded: ", 0
s_end:   db 10, "Done: the CPU halts.", 10, 0
%include "lesson_end.inc"
