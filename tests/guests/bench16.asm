; aula86 integer benchmark, real mode. Loaded at 1000:0000 and entered there.
; It never ends: the harness runs it for a fixed number of instructions and times that.
; Mix: ALU, loads/stores, table lookups, shifts/rotates, IMUL, PUSH/POP, CALL/RET, REP MOVSW.
bits 16
org 0
start:
    cli
    mov ax, 0x2000
    mov ss, ax
    mov sp, 0xFFFE
    mov ax, 0x3000
    mov ds, ax
    mov es, ax
    xor ax, ax
    mov bx, 1
    xor bp, bp
again:
    mov cx, 256
inner:
    add ax, cx
    adc dx, bx
    xor bx, ax
    and bx, 0x1FE
    mov si, [bx]
    mov [bx+0x400], ax
    shl ax, 1
    rcr dx, 1
    imul si
    push ax
    call sub1
    pop ax
    loop inner
    xor si, si
    mov di, 0x800
    mov cx, 64
    cld
    rep movsw
    jmp again
sub1:
    inc bp
    ret
