; aula86 VGA test guest: the graphics modes through INT 10h and video memory. Loaded at
; 0000:7C00 after POST. Each `cli; hlt` is a checkpoint: the host test (crates/pc/tests/vga.rs)
; hashes the picture and checks the results left at 0000:0600, then lets it go on.
; Assemble: nasm -f bin vga_gfx.asm -o vga_gfx.bin
bits 16
org 0x7C00

%macro checkpoint 0
    cli
    hlt
%endmacro

start:
    cli
    xor ax, ax
    mov ds, ax
    mov es, ax
    mov ss, ax
    mov sp, 0x7C00
    cld

; ---- 1: mode 4 (CGA 320x200x4): a diagonal in colours 1-3, text, palette 0 ----
    mov ax, 0x0004
    int 0x10
    xor cx, cx
.diag4:
    mov ax, cx
    xor dx, dx
    mov bx, 3
    div bx
    mov al, dl
    inc al
    mov ah, 0x0C
    xor bh, bh
    mov dx, cx
    int 0x10
    inc cx
    cmp cx, 200
    jb .diag4
    mov ah, 0x02
    xor bh, bh
    mov dx, 0x1401
    int 0x10
    mov bl, 0x02
    mov si, s_cga
    call puts
    mov ah, 0x0B                ; palette 0: green, red, brown
    mov bx, 0x0100
    int 0x10
    mov ah, 0x0D
    xor bh, bh
    mov cx, 10
    mov dx, 10
    int 0x10
    mov [0x600], al
    checkpoint

; ---- 2: mode 6 (CGA 640x200x2): a filled box and text ----
    mov ax, 0x0006
    int 0x10
    mov dx, 50
.row6:
    mov cx, 50
.col6:
    mov ax, 0x0C01
    xor bh, bh
    int 0x10
    inc cx
    cmp cx, 150
    jb .col6
    inc dx
    cmp dx, 100
    jb .row6
    mov ah, 0x02
    xor bh, bh
    mov dx, 0x0F1E
    int 0x10
    mov bl, 0x01
    mov si, s_mode6
    call puts
    mov ah, 0x0D
    mov cx, 60
    mov dx, 60
    int 0x10
    mov [0x601], al
    mov ah, 0x0D
    mov cx, 10
    mov dx, 10
    int 0x10
    mov [0x602], al
    checkpoint

; ---- 3: mode 0Dh (320x200x16): sixteen bars, a line through the map mask, text ----
    mov ax, 0x000D
    int 0x10
    xor dx, dx
.rowd:
    xor cx, cx
.cold:
    mov ax, cx
    push dx
    xor dx, dx
    mov bx, 20
    div bx
    pop dx
    mov ah, 0x0C
    int 0x10
    inc cx
    cmp cx, 320
    jb .cold
    inc dx
    cmp dx, 40
    jb .rowd
    mov dx, 0x3C4               ; map mask = planes 2 and 3: colour 12
    mov ax, 0x0C02
    out dx, ax
    mov ax, 0xA000
    mov es, ax
    mov di, 100 * 40
    mov cx, 40
    mov al, 0xFF
    rep stosb
    mov ax, 0x0F02
    out dx, ax
    xor ax, ax
    mov es, ax
    mov ah, 0x02
    xor bh, bh
    mov dx, 0x0A05
    int 0x10
    mov bl, 0x0E
    mov si, s_ega
    call puts
    mov ah, 0x0D
    xor bh, bh
    mov cx, 25
    mov dx, 5
    int 0x10
    mov [0x603], al
    mov ah, 0x0D
    mov cx, 3
    mov dx, 100
    int 0x10
    mov [0x604], al
    checkpoint

; ---- 4: mode 12h (640x480x16): diagonals, a write mode 2 rectangle, text ----
    mov ax, 0x0012
    int 0x10
    xor cx, cx
.diag12:
    mov al, cl
    shr al, 5
    and al, 0x0F
    mov ah, 0x0C
    xor bh, bh
    mov dx, cx
    int 0x10
    push cx
    neg cx
    add cx, 639
    mov ax, 0x0C0F
    int 0x10
    pop cx
    inc cx
    cmp cx, 480
    jb .diag12
    mov dx, 0x3CE               ; write mode 2
    mov ax, 0x0205
    out dx, ax
    mov ax, 0xA000
    mov es, ax
    mov di, 240 * 80 + 40
    mov bx, 32
.wm2:
    push di
    mov cx, 8
    mov al, 9
    rep stosb
    pop di
    add di, 80
    dec bx
    jnz .wm2
    mov ax, 0x0005
    out dx, ax
    xor ax, ax
    mov es, ax
    mov ah, 0x02
    xor bh, bh
    mov dx, 0x0102
    int 0x10
    mov bl, 0x0F
    mov si, s_vga
    call puts
    mov ah, 0x0D
    xor bh, bh
    mov cx, 330
    mov dx, 250
    int 0x10
    mov [0x605], al
    checkpoint

; ---- 5: mode 13h (320x200x256): every colour, text, pixel and character read-back ----
    mov ax, 0x0013
    int 0x10
    mov ax, 0xA000
    mov es, ax
    xor di, di
    xor dx, dx
.y13:
    xor cx, cx
.x13:
    mov ax, cx
    add ax, dx
    stosb
    inc cx
    cmp cx, 320
    jb .x13
    inc dx
    cmp dx, 200
    jb .y13
    xor ax, ax
    mov es, ax
    mov ah, 0x02
    xor bh, bh
    mov dx, 0x0C0F
    int 0x10
    mov bl, 0x0F
    mov si, s_256
    call puts
    mov ah, 0x0D
    xor bh, bh
    mov cx, 5
    mov dx, 3
    int 0x10
    mov [0x606], al
    mov ah, 0x02
    xor bh, bh
    mov dx, 0x0C0F
    int 0x10
    mov ah, 0x08
    int 0x10
    mov [0x607], al
    checkpoint

; ---- 6: VBE: controller information, find 800x600x32 in the mode list, set it with the
;      linear frame buffer, draw the first lines through the bank window ----
    mov dword [0x800], 'VBE2'
    mov ax, 0x4F00
    mov di, 0x800
    int 0x10
    mov [0x610], ax
    mov word [0x612], 0xFFFF
    lds si, [0x800 + 14]
.find:
    lodsw
    cmp ax, 0xFFFF
    je .vbe_done
    mov cx, ax
    push ds
    push si
    xor ax, ax
    mov ds, ax
    mov ax, 0x4F01
    mov di, 0xA00
    int 0x10
    pop si
    pop ds
    cmp word [es:0xA12], 800
    jne .find
    cmp word [es:0xA14], 600
    jne .find
    cmp byte [es:0xA19], 32
    jne .find
    xor ax, ax
    mov ds, ax
    mov [0x612], cx
    mov bx, cx
    or bx, 0x4000
    mov ax, 0x4F02
    int 0x10
    mov [0x614], ax
    mov ax, 0x4F03
    int 0x10
    mov [0x616], bx
    mov ax, 0x4F05              ; bank 0: sixteen lines of gradient
    xor bx, bx
    xor dx, dx
    int 0x10
    mov ax, 0xA000
    mov es, ax
    xor di, di
    xor dx, dx
.vy:
    xor cx, cx
.vx:
    mov al, cl
    stosb
    mov al, dl
    shl al, 4
    stosb
    mov al, 0x80
    stosb
    xor al, al
    stosb
    inc cx
    cmp cx, 800
    jb .vx
    inc dx
    cmp dx, 16
    jb .vy
    mov ax, 0x4F05              ; bank 1: a hundred red pixels from byte 65536
    xor bx, bx
    mov dx, 1
    int 0x10
    xor di, di
    mov cx, 100
.red:
    xor ax, ax
    stosw
    mov ax, 0x00FF
    stosw
    loop .red
    xor ax, ax
    mov es, ax
    ; A magenta 50x50 square at (400, 300) straight into the linear frame buffer, from
    ; "unreal" mode: FS keeps a 4 GiB limit after a trip through protected mode.
    lgdt [gdt_desc]
    mov eax, cr0
    or al, 1
    mov cr0, eax
    mov bx, 0x08
    mov fs, bx
    and al, 0xFE
    mov cr0, eax
    xor ax, ax
    mov fs, ax
    mov edi, 0xE0000000 + (300 * 800 + 400) * 4
    mov dx, 50
.sq_row:
    mov cx, 50
    push edi
.sq_px:
    mov dword [fs:edi], 0x00FF00FF
    add edi, 4
    loop .sq_px
    pop edi
    add edi, 800 * 4
    dec dx
    jnz .sq_row
.vbe_done:
    xor ax, ax
    mov ds, ax
    checkpoint

; ---- 7: VBE 640x480x8: 8-bit DAC (4F08h), a palette entry (4F09h), 1024-pixel lines
;      (4F06h), display start at line 1 (4F07h); colour 1 drawn on line 1 ----
    mov ax, 0x4F02
    mov bx, 0x4101
    int 0x10
    mov [0x620], ax
    mov ax, 0x4F08
    mov bx, 0x0800
    int 0x10
    mov [0x622], bx
    mov ax, 0x4F09
    xor bl, bl
    mov cx, 1
    mov dx, 1
    mov di, pal_entry
    int 0x10
    mov [0x624], ax
    mov ax, 0x4F06
    xor bl, bl
    mov cx, 1024
    int 0x10
    mov [0x626], ax
    mov [0x628], bx
    mov ax, 0x4F07
    xor bx, bx
    xor cx, cx
    mov dx, 1
    int 0x10
    mov [0x62A], ax
    mov ax, 0xA000
    mov es, ax
    mov di, 1024
    mov cx, 100
    mov al, 1
    rep stosb
    xor ax, ax
    mov es, ax
    checkpoint

.hang:
    cli
    hlt
    jmp .hang

; puts: teletype the zero-terminated string at DS:SI in colour BL.
puts:
    push ax
    push bx
.next:
    lodsb
    test al, al
    jz .done
    mov ah, 0x0E
    xor bh, bh
    int 0x10
    jmp .next
.done:
    pop bx
    pop ax
    ret

s_cga:      db "CGA 4", 0
s_mode6:    db "Mode 6", 0
s_ega:      db "EGA", 0
s_vga:      db "VGA 640x480", 0
s_256:      db "256", 0
pal_entry:  db 0x10, 0x20, 0xF0, 0x00
align 8
gdt:        dq 0
            dq 0x00CF92000000FFFF       ; flat 4 GiB data segment
gdt_desc:   dw 15
            dd gdt
