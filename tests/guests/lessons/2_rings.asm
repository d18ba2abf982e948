; Lesson 2: rings. The kernel (ring 0) drops to ring 3 with IRET; there CLI and HLT are
; privileged (IOPL is 0): each traps with #GP(0) to the kernel, which reports it and skips the
; instruction. Then the program exits with INT 31h.
; Build: nasm -f bin 2_rings.asm -o ../../../www/lessons/2_rings.img
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
    mov esi, s_user_cli
    call uputs
    cli                         ; privileged: #GP
    mov esi, s_user_hlt
    call uputs
    hlt                         ; privileged: #GP
    mov esi, s_user_exit
    call uputs
    int 0x31
gp_handler:
    mov esi, s_gp
    call kputs
    mov eax, [esp + 4]          ; the faulting EIP (after the error code)
    call khex
    mov esi, s_gp2
    call kputs
    mov eax, [esp]
    call khex
    mov esi, s_nl
    call kputs
    add esp, 4                  ; drop the error code
    inc dword [esp]             ; skip the one-byte instruction
    iret
pf_handler equ unexpected
s_intro:     db "Lesson 2. Rings: ring 0 (kernel) and ring 3 (user).", 10, 0
s_kernel:    db "Ring 0: IRET to ring 3 with IOPL = 0.", 10, 0
s_user_cli:  db "Ring 3: trying CLI...", 10, 0
s_user_hlt:  db "Ring 3: trying HLT...", 10, 0
s_user_exit: db "Ring 3: both trapped. Exit.", 10, 0
s_gp:        db "  #GP trap to ring 0 at EIP=", 0
s_gp2:       db " error=", 0
s_nl:        db 10, 0
%include "lesson_end.inc"
