; Lesson 5: a tiny trap-and-emulate monitor. The monitor (ring 0) runs a guest kernel
; deprivileged in ring 3. The guest's privileged instructions (CLI, STI, MOV from CR0, HLT) trap
; with #GP and the monitor emulates them on the guest's virtual state (a virtual IF, a virtual
; CR0). But POPF and SGDT are sensitive and do not trap: the monitor never sees them. The guest's
; POPF that should turn its interrupts off is lost (the virtual IF stays 1), and its SGDT shows
; the monitor's GDT instead of its own. These are the holes binary translation and VT-x close.
; Build: nasm -f bin 5_monitor.asm -o ../../../www/lessons/5_monitor.img
%include "lesson.inc"
main:
    call rclear
    mov si, s_intro
    call rputs
    mov bx, pm_main
    jmp enter_pm
bits 32
pm_main:
    mov esi, s_mon
    call kputs
    mov ebx, guest
    jmp to_ring3

; ---- the guest kernel: written for ring 0, running in ring 3 ----
guest:
    mov esi, g_cli
    call uputs
    cli                         ; trapped, emulated: vIF = 0
    mov esi, g_sti
    call uputs
    sti                         ; trapped, emulated: vIF = 1
    mov esi, g_cr0
    call uputs
    mov eax, cr0                ; trapped, emulated: the guest's virtual CR0
    mov esi, g_cr0v
    call uputs
    call uhex
    mov esi, g_popf
    call uputs
    push dword 0x00000002       ; EFLAGS with IF = 0: "interrupts off"
    popfd                       ; NOT trapped: the monitor's vIF stays 1
    mov esi, g_sgdt
    call uputs
    sgdt [sgdt_buf]             ; NOT trapped: the monitor's GDT, not the guest's
    mov eax, [sgdt_buf + 2]
    call uhex
    mov esi, g_hlt
    call uputs
    hlt                         ; trapped: the guest is done
    int 0x31

; ---- the monitor's #GP handler: decode and emulate ----
gp_handler:
    push eax
    push ebx
    push esi
    mov ebx, [esp + 16]         ; guest EIP (above the error code)
    inc dword [traps]
    mov al, [ebx]
    cmp al, 0xFA
    je .cli
    cmp al, 0xFB
    je .sti
    cmp al, 0xF4
    je .hlt
    cmp word [ebx], 0x200F
    je .movcr0
    mov esi, m_unknown
    call kputs
    jmp halt_forever
.cli:
    mov byte [vif], 0
    mov esi, m_cli
    call kputs
    mov ebx, 1
    jmp .resume
.sti:
    mov byte [vif], 1
    mov esi, m_sti
    call kputs
    mov ebx, 1
    jmp .resume
.movcr0:
    mov esi, m_cr0
    call kputs
    mov eax, [vcr0]
    mov [esp + 8], eax          ; the guest's EAX (saved above)
    mov ebx, 3
.resume:
    add [esp + 16], ebx         ; skip the emulated instruction
    pop esi
    pop ebx
    pop eax
    add esp, 4                  ; the error code
    iret
.hlt:
    mov esi, m_hlt
    call kputs
    mov eax, [traps]
    call khex
    mov esi, m_vif
    call kputs
    movzx eax, byte [vif]
    call khex
    mov esi, m_miss
    call kputs
    jmp halt_forever
pf_handler equ unexpected

vif:   db 1
vcr0:  dd 0x00000011            ; the guest believes: protected mode, paging off
traps: dd 0
sgdt_buf: times 6 db 0
s_intro:  db "Lesson 5. A trap-and-emulate monitor and a deprivileged guest.", 10, 0
s_mon:    db "Monitor (ring 0): starting the guest kernel in ring 3.", 10, 0
g_cli:    db "Guest: CLI", 10, 0
g_sti:    db "Guest: STI", 10, 0
g_cr0:    db "Guest: MOV EAX,CR0", 10, 0
g_cr0v:   db "Guest: CR0 = ", 0
g_popf:   db 10, "Guest: POPF with IF=0 (interrupts off)", 10, 0
g_sgdt:   db "Guest: SGDT -> base ", 0
g_hlt:    db 10, "Guest: HLT", 10, 0
m_cli:    db "  monitor: trapped CLI, virtual IF=0", 10, 0
m_sti:    db "  monitor: trapped STI, virtual IF=1", 10, 0
m_cr0:    db "  monitor: trapped MOV from CR0, gave the virtual CR0", 10, 0
m_hlt:    db "  monitor: trapped HLT. Traps emulated: ", 0
m_vif:    db 10, "  monitor: virtual IF=", 0
m_miss:   db " - but the guest turned it off with POPF: missed!", 10
          db "  The guest's SGDT showed the monitor's GDT: missed too.", 10
          db "  POPF and SGDT are sensitive but do not trap: x86 is not", 10
          db "  virtualizable by trap-and-emulate alone.", 10, 0
m_unknown: db "  monitor: unknown instruction, stop.", 10, 0
%include "lesson_end.inc"
