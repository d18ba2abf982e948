; Lesson 1: from real mode to protected mode. The PC starts in real mode (segment * 16 + offset,
; no protection); the lesson loads a GDT, sets CR0.PE, and a far jump loads CS with a ring 0
; code descriptor: from then on every segment register holds a selector.
; Build: nasm -f bin 1_protected.asm -o ../../../www/lessons/1_protected.img
%include "lesson.inc"
main:
    call rclear
    mov si, s_real
    call rputs
    mov bx, pm_main
    jmp enter_pm
bits 32
pm_main:
    mov esi, s_pm
    call kputs
    smsw ax                     ; ring 0: reads CR0's low word (PE = 1 now)
    movzx eax, ax
    call khex
    mov esi, s_end
    call kputs
    jmp halt_forever
gp_handler equ unexpected
pf_handler equ unexpected
s_real: db "Lesson 1. Real mode: CS:IP = 0000:7E00, addresses are segment*16+offset.", 10
        db "Loading the GDT and setting CR0.PE...", 10, 0
s_pm:   db "Protected mode, ring 0, CS = 0008h (a selector). MSW = ", 0
s_end:  db 10, "Done: the CPU halts.", 10, 0
%include "lesson_end.inc"
