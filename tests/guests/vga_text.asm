; aula86 VGA test guest: the text modes through INT 10h. Loaded at 0000:7C00 after POST.
; Each `cli; hlt` is a checkpoint: the host test (crates/pc/tests/vga.rs) looks at the screen
; and the results this program leaves at 0000:0600, then lets it go on.
; Assemble: nasm -f bin vga_text.asm -o vga_text.bin
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

; ---- 1: mode 3; teletype, write string, repeated characters, cursor and mode read-back ----
    mov ax, 0x0003
    int 0x10
    mov si, s_hello
    call puts
    mov ax, 0x1301              ; write string with BL, move the cursor
    mov bx, 0x001E
    mov cx, s_where_len
    mov dx, 0x020A              ; row 2, column 10
    mov bp, s_where
    int 0x10
    mov ax, 0x092A              ; five '*' in attribute 4Fh at the cursor
    mov bx, 0x004F
    mov cx, 5
    int 0x10
    mov ah, 0x02
    xor bh, bh
    mov dx, 0x0400
    int 0x10
    mov ax, 0x0A78              ; three 'x', attributes kept
    mov cx, 3
    int 0x10
    mov ah, 0x02
    mov dx, 0x0500
    int 0x10
    mov si, s_box
    call puts
    mov ah, 0x03
    xor bh, bh
    int 0x10
    mov [0x600], dx             ; row 5, column 4
    mov [0x602], cx             ; cursor shape
    mov ah, 0x02
    mov dx, 0x020A
    int 0x10
    mov ah, 0x08
    int 0x10
    mov [0x604], ax             ; 'W' in 1Eh
    mov ah, 0x0F
    int 0x10
    mov [0x606], ax             ; 80 columns, mode 3
    mov [0x608], bx             ; page 0
    checkpoint

; ---- 2: teletype scrolling: thirty lines, then backspace ----
    mov ax, 0x0003
    int 0x10
    xor cx, cx
.line:
    mov si, s_line
    call puts
    mov al, cl
    aam
    add ax, 0x3030
    push ax
    mov al, ah
    call putc
    pop ax
    call putc
    mov si, s_crlf
    call puts
    inc cx
    cmp cx, 30
    jb .line
    mov si, s_bs
    call puts
    checkpoint

; ---- 3: scrolling windows (AH=06h, 07h) ----
    mov ax, 0x0003
    int 0x10
    mov si, s_rows
    call puts
    mov ax, 0x0601              ; rows 0-4 up by one
    mov bh, 0x07
    xor cx, cx
    mov dx, 0x044F
    int 0x10
    mov ax, 0x0702              ; rows 0-2 down by two, blank lines in 17h
    mov bh, 0x17
    xor cx, cx
    mov dx, 0x024F
    int 0x10
    checkpoint

; ---- 4: 40x25 ----
    mov ax, 0x0001
    int 0x10
    mov si, s_forty
    call puts
    checkpoint

; ---- 5: 80x50 with the ROM 8x8 font; font information ----
    mov ax, 0x0003
    int 0x10
    mov ax, 0x1112
    xor bl, bl
    int 0x10
    mov si, s_fifty
    call puts
    mov ah, 0x02
    xor bh, bh
    mov dx, 0x3100              ; row 49
    int 0x10
    mov si, s_bottom
    call puts
    push es
    mov ax, 0x1130
    mov bh, 0x06
    int 0x10
    mov [0x610], es
    mov [0x612], bp
    mov [0x614], cx
    mov [0x616], dx
    mov ax, 0x1130
    mov bh, 0x03
    int 0x10
    mov [0x618], es
    mov [0x61A], bp
    pop es
    checkpoint

; ---- 6: palette and DAC functions, display combination, EGA information; a blinking 'B' ----
    mov ax, 0x0003
    int 0x10
    mov ax, 0x1010              ; DAC 20h = (10, 20, 30)
    mov bx, 0x0020
    mov dh, 10
    mov ch, 20
    mov cl, 30
    int 0x10
    mov ax, 0x1015
    mov bx, 0x0020
    xor cx, cx
    xor dx, dx
    int 0x10
    mov [0x620], dx
    mov [0x622], cx
    mov ax, 0x1000              ; palette register 1 = 3Fh
    mov bx, 0x3F01
    int 0x10
    mov ax, 0x1007
    mov bl, 0x01
    int 0x10
    mov [0x624], bh
    mov ax, 0x1A00
    int 0x10
    mov [0x626], ax
    mov [0x628], bx
    mov ah, 0x12
    mov bl, 0x10
    int 0x10
    mov [0x62A], bx
    mov ax, 0x0942              ; 'B', blinking yellow on black
    mov bx, 0x008E
    mov cx, 1
    int 0x10
    checkpoint

; ---- 7: blink off: bit 7 of the attribute is a bright background ----
    mov ax, 0x1003
    xor bl, bl
    int 0x10
    checkpoint

;---- 8: a glyph of our own in font block 1, chosen by attribute bit 3 through the character
;       map select register; the cursor hidden ----
    mov ax, 0x0003
    int 0x10
    mov ax, 0x1100              ; load 1 glyph of 16 lines for 'A' into block 1
    mov bx, 0x1001
    mov cx, 1
    mov dx, 'A'
    mov bp, g_solid
    int 0x10
    mov ax, 0x1103              ; map A (attribute bit 3 set) = block 1, map B = block 0
    mov bl, 0x04
    int 0x10
    mov ax, 0x0941              ; 'A' in 0Fh: block 1
    mov bx, 0x000F
    mov cx, 1
    int 0x10
    mov ah, 0x02
    xor bh, bh
    mov dx, 0x0001
    int 0x10
    mov ax, 0x0941              ; 'A' in 07h: block 0
    mov bx, 0x0007
    mov cx, 1
    int 0x10
    mov ah, 0x01                ; cursor off
    mov cx, 0x2000
    int 0x10
    checkpoint

.hang:
    cli
    hlt
    jmp .hang

; puts: teletype the zero-terminated string at DS:SI.
puts:
    push ax
.next:
    lodsb
    test al, al
    jz .done
    call putc
    jmp .next
.done:
    pop ax
    ret

; putc: teletype AL.
putc:
    push ax
    push bx
    mov ah, 0x0E
    xor bh, bh
    int 0x10
    pop bx
    pop ax
    ret

s_hello:    db "Hello, VGA!", 13, 10, 0
s_where:    db "Written by AH=13h"
s_where_len equ $ - s_where
s_box:      db 0xC9, 0xCD, 0xCD, 0xBB, 0
s_line:     db "Line ", 0
s_crlf:     db 13, 10, 0
s_bs:       db "ABC", 8, "D", 7, 0
s_rows:     db "A", 13, 10, "B", 13, 10, "C", 13, 10, "D", 13, 10, "E", 0
s_forty:    db "Forty columns", 0
s_fifty:    db "Fifty rows", 0
s_bottom:   db "Bottom", 0
g_solid:    times 16 db 0xFF
