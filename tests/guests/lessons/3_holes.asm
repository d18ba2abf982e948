; Lesson 3: sensitive but not privileged. In ring 3 with IOPL 0, POPF cannot change IF, yet it
; does not trap: the change is silently dropped. SGDT, SIDT and SMSW do not trap either and
; show the kernel's tables and CR0 to the user program. No trap means no hypervisor can step in:
; the x86 before VT-x is not virtualizable in the Popek-Goldberg sense.
; Build: nasm -f bin 3_holes.asm -o ../../../www/lessons/3_holes.img
%include "lesson.inc"
main:
    call rclear
    mov si, s_intro
    call rputs
    mov bx, pm_main
    jmp enter_pm
bits 32
pm_main:
    mov esi, s_kernel
    call kputs
    mov ebx, user
    jmp to_ring3
user:
    mov esi, s_popf
    call uputs
    pushfd
    or dword [esp], 0x200       ; ask for IF = 1
    popfd                       ; no trap, IF stays 0
    pushfd
    pop eax
    call uhex
    mov esi, s_sgdt
    call uputs
    sgdt [gdt_copy]             ; no trap: the kernel's GDT is visible
    mov eax, [gdt_copy + 2]
    call uhex
    mov esi, s_sidt
    call uputs
    sidt [gdt_copy]
    mov eax, [gdt_copy + 2]
    call uhex
    mov esi, s_smsw
    call uputs
    smsw ax                     ; no trap: PE = 1 shows
    movzx eax, ax
    call uhex
    mov esi, s_done
    call uputs
    int 0x31
gp_handler equ unexpected
pf_handler equ unexpected
gdt_copy: times 6 db 0
s_intro:  db "Lesson 3. Sensitive instructions that do not trap in ring 3.", 10, 0
s_kernel: db "Ring 0: IRET to ring 3 with IOPL = 0, IF = 0.", 10, 0
s_popf:   db "Ring 3: POPF with IF=1, no trap. EFLAGS now ", 0
s_sgdt:   db " (IF still 0)", 10, "Ring 3: SGDT, no trap. GDT base ", 0
s_sidt:   db 10, "Ring 3: SIDT, no trap. IDT base ", 0
s_smsw:   db 10, "Ring 3: SMSW, no trap. MSW ", 0
s_done:   db 10, "None of them trapped. Exit.", 10, 0
%include "lesson_end.inc"
