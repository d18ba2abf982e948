; boot.asm - floppy boot sector for running a CPU test guest under QEMU (scripts/qemu-diff):
; loads SECTORS sectors following it to 1000:0000 with INT 13h and jumps there in real mode.
; Assemble with -DSECTORS=n.
BITS 16
ORG 0x7C00
    cli
    xor ax, ax
    mov ds, ax
    mov ss, ax
    mov sp, 0x7C00
    mov [drive], dl
    mov ax, 0x1000
    mov es, ax
    xor bx, bx
    mov si, 1                   ; LBA of the first guest sector
    mov di, SECTORS
.next:
    test di, di
    jz .go
    ; LBA -> CHS for 18 sectors per track, 2 heads.
    mov ax, si
    xor dx, dx
    mov cx, 18
    div cx                      ; ax = track, dx = sector - 1
    mov cl, dl
    inc cl                      ; sector
    xor dx, dx
    mov bp, 2
    push cx
    mov cx, bp
    div cx                      ; ax = cylinder, dx = head
    pop cx
    mov ch, al
    mov dh, dl
    mov dl, [drive]
    mov bp, 5                   ; retries
.retry:
    mov ax, 0x0201
    int 0x13
    jnc .ok
    dec bp
    jz .err
    xor ax, ax
    int 0x13
    jmp .retry
.ok:
    mov ax, es
    add ax, 0x20
    mov es, ax
    inc si
    dec di
    jmp .next
.go:
    jmp 0x1000:0x0000
.err:
    mov al, '!'
    out 0xE9, al
    hlt
drive: db 0
    times 510 - ($ - $$) db 0
    dw 0xAA55
